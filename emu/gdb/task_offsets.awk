# task_offsets.awk - the "->NAME VALUE" markers of task_offsets.c's
# assembly as C defines (emu/gdb/CMakeLists.txt).
BEGIN {
	print "/* generated from emu/gdb/task_offsets.c by task_offsets.awk: do not edit */"
	print "#ifndef LSTAR_GDB_TASK_OFFSETS_H"
	print "#define LSTAR_GDB_TASK_OFFSETS_H"
}
/->/ {
	s = $0
	sub(/.*->/, "", s)
	sub(/".*/, "", s)
	split(s, f, " ")
	print "#define " f[1] " " f[2]
}
END { print "#endif" }
