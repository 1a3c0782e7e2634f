#!/bin/sh
# What tqdm 4.67 writes for nested bars, byte for byte (a pipe: no ncols, so
# a 10-cell bar): `for e in tqdm(range(2), desc="epoch")` around
# `for b in tqdm(range(3), desc="batch", leave=False)`.  The inner bar sits
# at position 1: std.tqdm.moveto goes down with "\n" and back up with
# "\x1b[A" around each redraw ("\r" + bar padded to the last width); closed
# with leave=False it is redrawn as spaces; the outer bar's close redraws it
# and writes "\n".  Shared by the logs tests (issue 13).
B='\342\226\210'
bar() { printf '\n\rbatch: %b| %s [00:00<00:00,  9.9%sit/s]\033[A' "$1" "$2" "$3"; }
printf '\repoch:   0%%|          | 0/2 [00:00<?, ?it/s]'
for e in 1 2; do
	printf '\n\rbatch:   0%%|          | 0/3 [00:00<?, ?it/s]\033[A'
	bar " 33%|$B\342\226\216      " 1/3 5
	bar " 67%|$B$B$B$B$B$B\342\226\213   " 2/3 3
	bar "100%|$B$B$B$B$B$B$B$B$B$B" 3/3 2
	printf '\n\r%52s\033[A' ''
	if [ $e = 1 ]; then
		printf '\repoch:  50%%|%b%b%b%b%b     | 1/2 [00:00<00:00,  3.31it/s, loss=0.402]' $B $B $B $B $B
	else
		printf '\repoch: 100%%|%b%b%b%b%b%b%b%b%b%b| 2/2 [00:00<00:00,  3.30it/s, loss=0.213]\n' $B $B $B $B $B $B $B $B $B $B
	fi
done
printf 'done\n'
