module lstar/gothreads

go 1.19
