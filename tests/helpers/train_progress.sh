#!/bin/sh
# What Keras 2 (at a tty: "\b" run + "\r") and tqdm 4 ("\r" + bar) write, byte
# for byte, then a coloured line with a title sequence and a bell, and a line
# longer than a 120-column window.  Shared by the logs tests (issue 13).
printf 'Epoch 1/1\n'
printf '1/2 [==============>...............] - ETA: 1s - loss: 0.9000'
printf '\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\r'
printf '2/2 [==============================] - 2s 1s/step - loss: 0.8000 - val_loss: 0.7500\n'
printf '\r  0%%|          | 0/2 [00:00<?, ?it/s]'
printf '\r 50%%|\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210     | 1/2 [00:00<00:00, 9.9it/s]'
printf '\r100%%|\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210| 2/2 [00:00<00:00, 9.9it/s, val_loss=0.431]\n'
printf '\033[31mred\033[0m \033]0;title\007bell\007 end\r\n'
printf 'long:'; i=0; while [ $i -lt 30 ]; do printf ' word%02d' $i; i=$((i+1)); done; printf ' TAILMARK\n'
