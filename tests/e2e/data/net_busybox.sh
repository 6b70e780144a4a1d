# net_busybox.sh - busybox's network tools over loopback (tests/e2e/net.cmake):
# httpd serving a file to wget, and nc in both roles.  $BB is busybox.
# The ports come from /dev/urandom (a guest's pid is the same on every
# run), so parallel runs do not meet.
port=$((20000 + $($BB od -An -N2 -tu2 /dev/urandom) % 20000))
mkdir www && echo "hello from httpd" > www/index.html
$BB httpd -f -p 127.0.0.1:$port -h www & httpd=$!
i=0
until $BB wget -q -O - http://127.0.0.1:$port/index.html 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 50 ] && { echo "httpd did not answer"; break; }
	$BB sleep 0.1
done
$BB wget -q -O - http://127.0.0.1:$port/missing.html 2>&1 | $BB sed 's/.*\(404\).*/\1/'
# Whether the shell reports the killed job ("Terminated") depends on when
# it reaps it, natively as under lstar: not part of what is compared.
{ kill $httpd; wait $httpd; } 2>/dev/null
port=$((port + 1))
echo "from the listener" | $BB nc -l -p $port > nc.out & nc=$!
i=0
until echo "from the client" | $BB nc 127.0.0.1 $port 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 50 ] && { echo "nc did not answer"; break; }
	$BB sleep 0.1
done
wait $nc
cat nc.out
