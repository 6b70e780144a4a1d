/* localtime.c - the time zone from $TZ: the C library reads the zoneinfo
 * file (glibc seeks in it with SEEK_CUR), so a wrong file offset shows up
 * as hours off.  Fixed instants in winter and summer, so the output is
 * the same on every run; run with TZ=Europe/Paris (or any zone). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(void)
{
	static const time_t when[] = { 1700000000, 1690000000, 0, 2000000000 };
	char buf[128];

	tzset();
	printf("TZ=%s\n", getenv("TZ") ? getenv("TZ") : "(unset)");
	for (unsigned i = 0; i < sizeof(when) / sizeof(when[0]); i++) {
		struct tm tm;
		localtime_r(&when[i], &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %Z %z", &tm);
		printf("%lld: %s isdst=%d gmtoff=%ld\n", (long long)when[i], buf,
		       tm.tm_isdst, (long)tm.tm_gmtoff);
		/* and back: mktime must invert localtime */
		printf("  mktime: %lld\n", (long long)mktime(&tm));
	}
	return 0;
}
