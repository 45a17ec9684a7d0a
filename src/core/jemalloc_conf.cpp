// jemalloc_conf.cpp - jemalloc's settings for the programs that link it (edigate_malloc).
//
// Transparent huge pages for the heap and jemalloc's own metadata: a validating run touches a few
// megabytes of fresh heap (the directory it loads, the read buffer), and on the VMs we measured a
// page fault per 4 KiB page cost more than the directory's parsing. With 2 MiB pages a run of
// `edigate validate` on a 50 MB file took 4% less time and one on a small file 20% less, for about
// 5 MiB more peak RSS. Where the system's THP setting is "never" this changes nothing. MALLOC_CONF
// in the environment still overrides it.
extern "C" {
// jemalloc reads this symbol at start-up if the program defines it.
extern const char* malloc_conf;
const char* malloc_conf = "thp:always,metadata_thp:always";
}
