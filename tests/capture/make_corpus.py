#!/usr/bin/env python3
"""Writes tests/capture/corpus/*.log and *.expected.

Each log is the console output one framework prints by default, byte for
byte as a terminal receives it (\\r redraws, \\b, ANSI colours, tqdm bars),
written with the format strings of the framework's own source or of
published runs (named above each writer).  Values are made up with a fixed
seed.  The .expected file is what a data scientist reads off that output
under the rules of docs/tracking.md: one point a line, key<TAB>step<TAB>value,
step '-' where the framework prints none for that point.  Points printed
again at the same step (duplicated logger lines, redraws) are one point.

Run it from the source tree to regenerate: python3 tests/capture/make_corpus.py
The files are committed; the scorer (scorer.c) reads them, not this script.
"""
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
R = random.Random(14)
BAR = "\u2588"


class Log:
    def __init__(self, name):
        self.name = name
        self.out = []
        self.pts = []  # (key, step, text)

    def w(self, s):
        self.out.append(s)

    def p(self, key, step, text):
        self.pts.append((key, "-" if step is None else str(step), text))

    def save(self):
        with open(os.path.join(OUT, self.name + ".log"), "wb") as f:
            f.write("".join(self.out).encode("utf-8"))
        # the same key, step and value again is the same point printed
        # again; another value at a step already seen is a new point (a
        # second fit prints epochs 1, 2 again)
        seen = set()
        with open(os.path.join(OUT, self.name + ".expected"), "w") as f:
            for k, s, v in self.pts:
                if s != "-" and (k, s, float(v)) in seen:
                    continue
                seen.add((k, s, float(v)))
                f.write("%s\t%s\t%s\n" % (k, s, v))


def dec(start, i, n, lo):
    """A loss-like curve falling from start towards lo, with noise."""
    return lo + (start - lo) * (1 - i / max(n, 1)) ** 2 + R.uniform(-0.01, 0.01) * start


def inc(start, i, n, hi):
    return hi - (hi - start) * (1 - i / max(n, 1)) ** 2 - R.uniform(0, 0.01)


def tqdm_bar(frac, width=10):
    full = int(frac * width)
    rest = frac * width - full
    parts = " \u258f\u258e\u258d\u258c\u258b\u258a\u2589"
    s = BAR * full
    if full < width:
        s += parts[int(rest * 8)] if rest else " "
        s += " " * (width - full - 1)
    return s


def tqdm(desc, n, total, elapsed, rate, postfix=""):
    pct = int(100 * n / total) if total else 0
    rem = (total - n) / rate if rate else 0
    fmt = lambda t: "%02d:%02d" % (int(t) // 60, int(t) % 60)
    d = desc + ": " if desc else ""
    pf = (", " + postfix) if postfix else ""
    return "%s%3d%%|%s| %d/%d [%s<%s, %5.2fit/s%s]" % (
        d, pct, tqdm_bar(n / total), n, total, fmt(elapsed), fmt(rem), rate, pf)


# ---- Keras 2 / tf.keras Model.fit, verbose=1 on a tty -------------------
# keras/utils/generic_utils.py Progbar.update: '\b' * prev_total_width then
# '\r', "%d/%d [===>....]", " - ETA: %s", " - %s: %.4f"; at the end of the
# epoch " - %.0fs %.0fms/step" and the val_ metrics.
def keras_progbar_line(cur, total, metrics, eta=None, done=None):
    width = 30
    bar = "%*d/%d [" % (len(str(total)), cur, total)
    prog = cur / total
    pw = int(width * prog)
    if pw > 0:
        bar += "=" * (pw - 1)
        bar += ">" if cur < total else "="
    bar += "." * (width - pw) + "]"
    info = ""
    if done:
        info += " - %s" % done
    else:
        info += " - ETA: %s" % eta
    for k, v in metrics:
        info += " - %s: %.4f" % (k, v)
    return bar + info


def keras_tty(name, epochs, steps, old=False):
    L = Log(name)
    if old:
        L.w("Using TensorFlow backend.\n")
        L.w("x_train shape: (60000, 28, 28, 1)\n60000 train samples\n10000 test samples\n")
        L.w("Train on 60000 samples, validate on 10000 samples\n")
        acc, vacc = "acc", "val_acc"
    else:
        L.w("2023-06-01 10:11:12.345678: I tensorflow/core/platform/cpu_feature_guard.cc:182] "
            "This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.\n")
        L.w("Model: \"sequential\"\n_________________________________________________________________\n"
            " Layer (type)                Output Shape              Param #   \n"
            "=================================================================\n"
            " dense (Dense)               (None, 128)               100480    \n"
            " dense_1 (Dense)             (None, 10)                1290      \n"
            "=================================================================\n"
            "Total params: 101,770\nTrainable params: 101,770\nNon-trainable params: 0\n"
            "_________________________________________________________________\n")
        acc, vacc = "accuracy", "val_accuracy"
    for e in range(1, epochs + 1):
        L.w("Epoch %d/%d\n" % (e, epochs))
        prev = 0
        loss = a = 0
        for cur in list(range(1, steps, max(1, steps // 9))) + [steps]:
            loss = dec(2.3, (e - 1) * steps + cur, epochs * steps, 0.05)
            a = inc(0.1, (e - 1) * steps + cur, epochs * steps, 0.99)
            if cur < steps:
                line = keras_progbar_line(cur, steps, [("loss", loss), (acc, a)],
                                          eta="%d:%02d" % (R.randint(0, 5), R.randint(0, 59)) if old is False else "%ds" % R.randint(1, 90))
            else:
                vl, va = loss * 1.1, a - 0.01
                done = "8s" if old else "4s 2ms/step"
                line = keras_progbar_line(cur, steps, [("loss", loss), (acc, a), ("val_loss", vl), (vacc, va)],
                                          done=done)
                L.p("loss", e, "%.4f" % loss)
                L.p(acc, e, "%.4f" % a)
                L.p("val_loss", e, "%.4f" % vl)
                L.p(vacc, e, "%.4f" % va)
            if old:
                L.w("\b" * prev)  # Keras 1 moves back with backspaces only
            else:
                L.w("\b" * prev + "\r")
            if len(line) < prev:
                line += " " * (prev - len(line))
            L.w(line)
            prev = len(line)
        L.w("\n")
    L.w("Test loss: %.6f\nTest accuracy: %.4f\n" % (0.0712, 0.9781))
    L.p("Test loss", None, "%.6f" % 0.0712)
    L.p("Test accuracy", None, "%.4f" % 0.9781)
    L.save()


# ---- Keras 3 Model.fit when stdout is not a tty (and verbose=2) ----------
# keras/src/utils/progbar.py: bold "N/N", a green ━ bar, bold "4s", then
# "2ms/step - accuracy: 0.8789 - loss: 0.4274 ..." once per epoch.
def keras_nontty():
    L = Log("keras-fit-nontty")
    L.w("Epoch 1/4\n")
    for e in range(1, 5):
        if e > 1:
            L.w("Epoch %d/4\n" % e)
        a, l = inc(0.8, e, 4, 0.98), dec(0.45, e, 4, 0.05)
        va, vl = a - 0.005, l + 0.02
        L.w("\x1b[1m469/469\x1b[0m \x1b[32m\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\u2501\x1b[0m\x1b[37m\x1b[0m "
            "\x1b[1m%ds\x1b[0m %dms/step - accuracy: %.4f - loss: %.4f - val_accuracy: %.4f - val_loss: %.4f\n"
            % (R.randint(2, 9), R.randint(3, 19), a, l, va, vl))
        for k, v in (("accuracy", a), ("loss", l), ("val_accuracy", va), ("val_loss", vl)):
            L.p(k, e, "%.4f" % v)
    # verbose=2: one line an epoch, time and time per step at the end
    L.w("Epoch 1/2\n")
    for e in (1, 2):
        if e > 1:
            L.w("Epoch 2/2\n")
        l, m = 0.31 / e, 0.22 / e
        L.w("157/157 - 1s - 6ms/step - loss: %.4f - mae: %.4f - val_loss: %.4f - val_mae: %.4f\n" % (l, m, l + 0.01, m + 0.01))
        # a second fit on the same run goes on from the first's epochs: the
        # framework prints 1/2, 2/2 again, so the step is what it printed
        L.p("loss", e, "%.4f" % l)
        L.p("mae", e, "%.4f" % m)
        L.p("val_loss", e, "%.4f" % (l + 0.01))
        L.p("val_mae", e, "%.4f" % (m + 0.01))
    L.save()


# ---- Hugging Face Trainer ----------------------------------------------
# transformers/trainer.py logger.info banner ("***** Running training *****",
# "  Num examples = {num_examples:,}", ...); ProgressCallback.on_log uses
# training_bar.write(str(logs)) (tqdm clears the bar with \r, writes the
# line, redraws); the eval bar is a second tqdm (nested: \n ... ESC[A).
def hf_trainer():
    L = Log("hf-trainer")
    total, per_epoch, epochs = 4500, 1500, 3
    L.w("[INFO|trainer.py:2078] 2024-05-02 14:03:11,482 >> ***** Running training *****\n"
        "[INFO|trainer.py:2079] 2024-05-02 14:03:11,482 >>   Num examples = 12,000\n"
        "[INFO|trainer.py:2080] 2024-05-02 14:03:11,482 >>   Num Epochs = 3\n"
        "[INFO|trainer.py:2081] 2024-05-02 14:03:11,482 >>   Instantaneous batch size per device = 8\n"
        "[INFO|trainer.py:2084] 2024-05-02 14:03:11,482 >>   Total train batch size (w. parallel, distributed & accumulation) = 8\n"
        "[INFO|trainer.py:2085] 2024-05-02 14:03:11,482 >>   Gradient Accumulation steps = 1\n"
        "[INFO|trainer.py:2086] 2024-05-02 14:03:11,482 >>   Total optimization steps = 4,500\n"
        "[INFO|trainer.py:2087] 2024-05-02 14:03:11,483 >>   Number of trainable parameters = 66,955,010\n")
    L.w("\r  0%|          | 0/4500 [00:00<?, ?it/s]")
    rate = 5.5
    step = 0
    for step in range(1, total + 1):
        if step % 100 == 0 or step == 1:
            L.w("\r" + tqdm("", step, total, step / rate, rate))
        if step % 500 == 0:
            loss = dec(0.69, step, total, 0.12)
            gn = R.uniform(1, 9)
            lr = 5e-5 * (1 - step / total)
            ep = round(step / per_epoch, 2)
            d = "{'loss': %s, 'grad_norm': %s, 'learning_rate': %s, 'epoch': %s}" % (
                round(loss, 4), round(gn, 6), "%.3g" % lr if lr else "0.0", ep)
            L.w("\r" + " " * 60 + "\r" + d + "\n" + tqdm("", step, total, step / rate, rate))
            L.p("loss", step, "%s" % round(loss, 4))
            L.p("grad_norm", step, "%s" % round(gn, 6))
            L.p("learning_rate", step, "%.3g" % lr if lr else "0.0")
            L.p("epoch", step, "%s" % ep)
        if step % per_epoch == 0:
            L.w("\r" + " " * 60 + "\r[INFO|trainer.py:3719] 2024-05-02 14:%02d:40,001 >> ***** Running Evaluation *****\n"
                "[INFO|trainer.py:3721] 2024-05-02 14:%02d:40,001 >>   Num examples = 872\n"
                "[INFO|trainer.py:3724] 2024-05-02 14:%02d:40,001 >>   Batch size = 8\n" % ((step // 100,) * 3))
            L.w(tqdm("", step, total, step / rate, rate))
            for j in range(0, 110, 20):
                L.w("\n\r" + tqdm("", j, 109, j / 40.0, 40.0) + "\x1b[A")
            L.w("\n\r" + " " * 50 + "\r\x1b[A")
            el, ea = dec(0.4, step, total, 0.25), inc(0.8, step, total, 0.91)
            rt = R.uniform(2, 3)
            ep = round(step / per_epoch, 2)
            d = ("{'eval_loss': %s, 'eval_accuracy': %s, 'eval_runtime': %.4f, 'eval_samples_per_second': %.3f, "
                 "'eval_steps_per_second': %.3f, 'epoch': %s}" % (round(el, 4), round(ea, 4), rt, 872 / rt, 109 / rt, ep))
            L.w("\r" + " " * 60 + "\r" + d + "\n" + tqdm("", step, total, step / rate, rate))
            for k, v in (("eval_loss", "%s" % round(el, 4)), ("eval_accuracy", "%s" % round(ea, 4)),
                         ("eval_runtime", "%.4f" % rt), ("eval_samples_per_second", "%.3f" % (872 / rt)),
                         ("eval_steps_per_second", "%.3f" % (109 / rt)), ("epoch", "%s" % ep)):
                L.p(k, step, v)
            L.w("\r" + " " * 60 + "\r[INFO|trainer.py:3410] 2024-05-02 14:%02d:41,113 >> Saving model checkpoint to out/checkpoint-%d\n" % (step // 100, step))
            L.w(tqdm("", step, total, step / rate, rate))
    L.w("\r" + " " * 60 + "\r[INFO|trainer.py:2329] 2024-05-02 14:50:02,417 >> \n\nTraining completed. Do not forget to share your model on huggingface.co/models =)\n\n\n")
    d = "{'train_runtime': 818.2141, 'train_samples_per_second': 43.997, 'train_steps_per_second': 5.5, 'train_loss': 0.2875, 'epoch': 3.0}"
    L.w(tqdm("", total, total, total / rate, rate))
    L.w("\r" + " " * 60 + "\r" + d + "\n")
    L.w("\r" + tqdm("", total, total, total / rate, rate) + "\n")
    for k, v in (("train_runtime", "818.2141"), ("train_samples_per_second", "43.997"),
                 ("train_steps_per_second", "5.5"), ("train_loss", "0.2875"), ("epoch", "3.0")):
        L.p(k, total, v)
    L.save()


# ---- sentence-transformers 2.x SentenceTransformer.fit ------------------
# tqdm "Epoch" and "Iteration" bars; EmbeddingSimilarityEvaluator logs
# "Evaluating the model on <name> dataset after epoch N:" then one line per
# similarity: "Cosine-Similarity :\tPearson: %.4f\tSpearman: %.4f".
def sentence_transformers():
    L = Log("sentence-transformers-fit")
    L.w("2023-03-01 10:12:01 - Load pretrained SentenceTransformer: all-MiniLM-L6-v2\n")
    L.w("2023-03-01 10:12:03 - Use pytorch device: cuda\n")
    L.w("2023-03-01 10:12:03 - Read STSbenchmark train dataset\n")
    epochs, iters = 4, 360
    for e in range(epochs):
        L.w("\rEpoch:   %d%%|          | %d/%d [00:00<?, ?it/s]" % (e * 25, e, epochs))
        for it in range(0, iters + 1, 60):
            L.w("\n\r" + tqdm("Iteration", it, iters, it / 4.3, 4.3) + "\x1b[A")
        L.w("\n\r" + " " * 70 + "\r\x1b[A")
        L.w("2023-03-01 10:%02d:30 - EmbeddingSimilarityEvaluator: Evaluating the model on sts-dev dataset after epoch %d:\n"
            % (13 + e, e))
        for name in ("Cosine-Similarity :", "Manhattan-Distance:", "Euclidean-Distance:", "Dot-Product-Similarity:"):
            p, s = inc(0.80, e, epochs, 0.87) - R.uniform(0, 0.05), inc(0.80, e, epochs, 0.87) - R.uniform(0, 0.05)
            L.w("2023-03-01 10:%02d:32 - %s\tPearson: %.4f\tSpearman: %.4f\n" % (13 + e, name, p, s))
            label = name.rstrip(" :")
            L.p(label + " Pearson", e, "%.4f" % p)
            L.p(label + " Spearman", e, "%.4f" % s)
        L.w("2023-03-01 10:%02d:32 - Save model to output/training_stsbenchmark\n" % (13 + e))
        L.w("\r" + tqdm("Epoch", e + 1, epochs, (e + 1) * 83.0, 1 / 83.0))
    L.w("\n")
    L.save()


# ---- PyTorch Lightning 2.x TQDMProgressBar ------------------------------
# One training bar per run, reset each epoch (no newline), description
# "Epoch N", postfix "v_num=0, train_loss=..."; the validation bar is
# nested below it (tqdm moves: \n, \r bar, ESC[A), closed with leave=False.
def lightning():
    L = Log("lightning-bars")
    L.w("GPU available: True (cuda), used: True\nTPU available: False, using: 0 TPU cores\n"
        "IPU available: False, using: 0 IPUs\nHPU available: False, using: 0 HPUs\n"
        "LOCAL_RANK: 0 - CUDA_VISIBLE_DEVICES: [0]\n\n"
        "  | Name     | Type             | Params\n----------------------------------------------\n"
        "0 | model    | Sequential       | 101 K \n1 | loss_fn  | CrossEntropyLoss | 0     \n"
        "----------------------------------------------\n101 K     Trainable params\n0         Non-trainable params\n"
        "101 K     Total params\n0.407     Total estimated model params size (MB)\n")
    L.w("\rSanity Checking: |          | 0/? [00:00<?, ?it/s]")
    L.w("\rSanity Checking DataLoader 0: 100%|" + BAR * 10 + "| 2/2 [00:00<00:00, 48.21it/s]")
    L.w("\r" + " " * 75 + "\r")
    n, nval, epochs = 938, 157, 3
    for e in range(epochs):
        tl = 0
        for b in list(range(0, n, 67)) + [n]:
            tl = dec(1.2, e * n + b, epochs * n, 0.05)
            pf = "v_num=0" + (", train_loss=%.3f" % tl if e or b else "")
            if e:
                pf += ", val_loss=%.3f, val_acc=%.3f" % (vl, va)
            L.w("\r" + tqdm("Epoch %d" % e, b, n, b / 66.1 + 0.01, 66.1, pf))
        L.w("\n\rValidation: |          | 0/? [00:00<?, ?it/s]\x1b[A")
        for j in range(0, nval + 1, 40):
            L.w("\n\r" + tqdm("Validation DataLoader 0", min(j, nval), nval, j / 210.3, 210.3) + "\x1b[A")
        L.w("\n\r" + tqdm("Validation DataLoader 0", nval, nval, 0.75, 210.3) + "\x1b[A")
        L.w("\n\r" + " " * 75 + "\r\x1b[A")
        vl, va = dec(0.5, e, epochs, 0.1), inc(0.9, e, epochs, 0.98)
        L.w("\r" + tqdm("Epoch %d" % e, n, n, 14.2, 66.1, "v_num=0, train_loss=%.3f, val_loss=%.3f, val_acc=%.3f" % (tl, vl, va)))
        L.p("train_loss", e, "%.3f" % tl)
        L.p("val_loss", e, "%.3f" % vl)
        L.p("val_acc", e, "%.3f" % va)
    L.w("`Trainer.fit` stopped: `max_epochs=3` reached.\n")
    L.w("\r" + tqdm("Epoch 2", n, n, 14.2, 66.1, "v_num=0, train_loss=%.3f, val_loss=%.3f, val_acc=%.3f" % (tl, vl, va)) + "\n")
    L.save()


# ---- pytorch/examples mnist/main.py -------------------------------------
# 'Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}' and
# '\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'
def mnist():
    L = Log("pytorch-mnist")
    for e in range(1, 4):
        for b in range(0, 938, 100):
            loss = dec(2.3, (e - 1) * 938 + b, 3 * 938, 0.02)
            L.w("Train Epoch: %d [%d/60000 (%.0f%%)]\tLoss: %.6f\n" % (e, b * 64, 100.0 * b / 938, loss))
            L.p("Loss", None, "%.6f" % loss)
        tl, c = dec(0.1, e, 3, 0.03), 9800 + e * 40 + R.randint(0, 30)
        L.w("\nTest set: Average loss: %.4f, Accuracy: %d/10000 (%.0f%%)\n\n" % (tl, c, c / 100.0))
        L.p("Average loss", e, "%.4f" % tl)
        L.p("Accuracy", e, "%.0f" % (c / 100.0))
    L.save()


# ---- PyTorch "Quickstart" tutorial loop --------------------------------
# print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]") and
# print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
def quickstart():
    L = Log("pytorch-quickstart")
    for e in range(1, 6):
        L.w("Epoch %d\n-------------------------------\n" % e)
        for b in range(0, 938, 100):
            loss = dec(2.3, (e - 1) * 938 + b, 5 * 938, 0.6)
            L.w("loss: %f  [%5d/%5d]\n" % (loss, min(b * 64 + 64, 60000), 60000))
            L.p("loss", None, "%f" % loss)
        acc, al = inc(40, e, 5, 70), dec(2.2, e, 5, 0.8)
        L.w("Test Error: \n Accuracy: %0.1f%%, Avg loss: %8f \n\n" % (acc, al))
        L.p("Accuracy", e, "%0.1f" % acc)
        L.p("Avg loss", e, "%8f" % al)
    L.w("Done!\nSaved PyTorch Model State to model.pth\n")
    L.save()


# ---- XGBoost xgb.train(evals=..., verbose_eval=500) ---------------------
# python-package/xgboost/callback.py EvaluationMonitor: "[%d]\t" then
# "%s-%s:%.5f" per data set and metric, tab-separated.
def xgboost():
    L = Log("xgboost-train")
    L.w("[10:23:45] WARNING: ../src/learner.cc:767: \nParameters: { \"n_estimators\" } are not used.\n\n")
    for it in (0, 500, 1000, 1500, 1999):
        tr, ev = dec(0.69, it, 2000, 0.08), dec(0.69, it, 2000, 0.21)
        ta, ea = inc(0.7, it, 2000, 0.99), inc(0.7, it, 2000, 0.93)
        L.w("[%d]\ttrain-logloss:%.5f\ttrain-auc:%.5f\teval-logloss:%.5f\teval-auc:%.5f\n" % (it, tr, ta, ev, ea))
        for k, v in (("train-logloss", tr), ("train-auc", ta), ("eval-logloss", ev), ("eval-auc", ea)):
            L.p(k, it, "%.5f" % v)
    L.save()


# ---- LightGBM lgb.train(callbacks=[log_evaluation(10), early_stopping(30)])
# callback.py: "[%d]\t%s" with _format_eval_result "%s's %s: %g".
def lightgbm():
    L = Log("lightgbm-train")
    L.w("[LightGBM] [Info] Number of positive: 3012, number of negative: 6988\n")
    L.w("[LightGBM] [Info] Auto-choosing col-wise multi-threading, the overhead of testing was 0.001843 seconds.\n"
        "You can set `force_col_wise=true` to remove the overhead.\n")
    L.w("[LightGBM] [Info] Total Bins 2550\n")
    L.w("[LightGBM] [Info] Number of data points in the train set: 10000, number of used features: 10\n")
    L.w("Training until validation scores don't improve for 30 rounds\n")
    best = None
    for it in range(10, 131, 10):
        ta, va = inc(0.85, it, 130, 0.99), inc(0.8, it, 90, 0.9123) if it <= 90 else 0.9123 - (it - 90) * 0.0003
        tl, vl = dec(0.6, it, 130, 0.1), dec(0.6, it, 90, 0.25)
        L.w("[%d]\ttraining's auc: %g\ttraining's binary_logloss: %g\tvalid_1's auc: %g\tvalid_1's binary_logloss: %g\n"
            % (it, ta, tl, va, vl))
        for k, v in (("training's auc", ta), ("training's binary_logloss", tl), ("valid_1's auc", va),
                     ("valid_1's binary_logloss", vl)):
            L.p(k, it, "%g" % v)
        if it == 90:
            best = (ta, tl, va, vl)
    L.w("Early stopping, best iteration is:\n")
    L.w("[90]\ttraining's auc: %g\ttraining's binary_logloss: %g\tvalid_1's auc: %g\tvalid_1's binary_logloss: %g\n" % best)
    # sklearn API on the same run: "valid_0"
    L.w("[LightGBM] [Warning] Unknown parameter: silent\n")
    for it in (25, 50, 75, 100):
        v = dec(12.0, it, 100, 3.1)
        L.w("[%d]\tvalid_0's l2: %g\tvalid_0's l1: %g\n" % (it, v, v / 4))
        L.p("valid_0's l2", it, "%g" % v)
        L.p("valid_0's l1", it, "%g" % (v / 4))
    L.save()


# ---- CatBoost fit(verbose=100) -----------------------------------------
# "%d:\tlearn: %.7g\ttest: %.7g\tbest: %.7g (%d)\ttotal: %s\tremaining: %s"
def catboost():
    L = Log("catboost-fit")
    L.w("Learning rate set to 0.057693\n")
    best, bi = 9, 0
    for it in list(range(0, 1000, 100)) + [999]:
        lr, te = dec(0.66, it, 1000, 0.16), dec(0.66, it, 800, 0.23) if it < 800 else 0.23 + (it - 800) * 0.00002
        if te < best:
            best, bi = te, it
        tot = it * 5.1 + 57.4
        rem = (1000 - it) * 5.1
        fmt = lambda ms: ("%.1fms" % ms) if ms < 1000 else ("%.2fs" % (ms / 1000))
        L.w("%d:\tlearn: %.7f\ttest: %.7f\tbest: %.7f (%d)\ttotal: %s\tremaining: %s\n"
            % (it, lr, te, best, bi, fmt(tot), fmt(rem) if rem else "0us"))
        L.p("learn", it, "%.7f" % lr)
        L.p("test", it, "%.7f" % te)
        L.p("best", it, "%.7f" % best)
    L.w("\nbestTest = %.7f\nbestIteration = %d\n\nShrink model to first %d iterations.\n" % (best, bi, bi + 1))
    L.p("bestTest", None, "%.7f" % best)
    L.save()


# ---- fastai Learner.fit_one_cycle in a console -------------------------
# fastprogress ConsoleMasterBar: the header "epoch     train_loss  valid_loss
# accuracy  time" once, then a row per epoch, each cell padded to its header.
def fastai():
    L = Log("fastai-table")
    names = ["epoch", "train_loss", "valid_loss", "accuracy", "time"]
    L.w("".join(n + " " * (max(len(n), 9) - len(n) + 2) for n in names).rstrip() + "    \n")
    for e in range(5):
        for b in range(0, 101, 25):
            L.w("\r |%s| %.2f%% [%d/%d %02d:%02d<%02d:%02d]" % (BAR * (b // 5) + "-" * (20 - b // 5), b * 1.0,
                b * 36 // 100, 36, b // 10, 0, 10 - b // 10, 0))
        L.w("\r" + " " * 60 + "\r")
        tl, vl, a = dec(0.9, e, 5, 0.05), dec(0.4, e, 5, 0.03), inc(0.9, e, 5, 0.993)
        cells = ["%d" % e, "%.6f" % tl, "%.6f" % vl, "%.6f" % a, "00:%02d" % R.randint(10, 16)]
        L.w("".join(c + " " * (max(len(n), 9) - len(c) + 2) for c, n in zip(cells, names)) + "   \n")
        L.p("train_loss", e, "%.6f" % tl)
        L.p("valid_loss", e, "%.6f" % vl)
        L.p("accuracy", e, "%.6f" % a)
    L.save()


# ---- Ultralytics YOLOv8 detect train -----------------------------------
# BaseTrainer.progress_string: "\n" + "%11s" * 7 header; the batch bar's
# description "%11s%11s" + "%11.4g" * 5 (epoch "1/3", mem "2.31G", losses,
# instances, size); DetectionValidator.get_desc "%22s" + "%11s" * 6 header
# as the val bar's description, then the "all" row "%22s%11i%11i" + "%11.3g" * 4.
def yolo():
    L = Log("ultralytics-yolo")
    L.w("Ultralytics YOLOv8.0.227 \U0001f680 Python-3.10.12 torch-2.1.0+cu118 CUDA:0 (Tesla T4, 15102MiB)\n")
    L.w("\x1b[34m\x1b[1mengine/trainer: \x1b[0mtask=detect, mode=train, model=yolov8n.pt, data=coco128.yaml, epochs=3, "
        "patience=50, batch=16, imgsz=640, save=True, lr0=0.01, lrf=0.01, momentum=0.937\n")
    L.w("Model summary: 225 layers, 3157200 parameters, 3157184 gradients, 8.9 GFLOPs\n\n")
    L.w("\x1b[34m\x1b[1mtrain: \x1b[0mScanning /content/datasets/coco128/labels/train2017.cache... 126 images, 2 backgrounds, 0 corrupt: 100%|"
        + BAR * 10 + "| 128/128 [00:00<?, ?it/s]\n")
    L.w("Image sizes 640 train, 640 val\nUsing 2 dataloader workers\nStarting training for 3 epochs...\n")
    hdr = ("Epoch", "GPU_mem", "box_loss", "cls_loss", "dfl_loss", "Instances", "Size")
    vh = ("Class", "Images", "Instances", "Box(P", "R", "mAP50", "mAP50-95)")
    for e in range(1, 4):
        L.w("\n" + "".join("%11s" % h for h in hdr) + "\n")
        for b in range(1, 9):
            bl, cl, dl = dec(1.3, (e - 1) * 8 + b, 24, 1.0), dec(1.6, (e - 1) * 8 + b, 24, 1.1), dec(1.25, (e - 1) * 8 + b, 24, 1.1)
            desc = "%11s%11s" % ("%d/3" % e, "%.3gG" % (2.3 + b * 0.01)) + "%11.4g" * 5 % (bl, cl, dl, R.randint(150, 260), 640)
            L.w("\r" + desc + ": " + tqdm("", b, 8, b / 3.0, 3.04)[0:])
        L.w("\n")
        L.p("box_loss", e, "%.4g" % bl)
        L.p("cls_loss", e, "%.4g" % cl)
        L.p("dfl_loss", e, "%.4g" % dl)
        L.p("GPU_mem_G", e, "%.3g" % (2.3 + 8 * 0.01))
        vdesc = "%22s" % vh[0] + "%11s" * 6 % vh[1:]
        for b in range(1, 5):
            L.w("\r" + vdesc + ": " + tqdm("", b, 4, b / 5.0, 5.13))
        L.w("\n")
        P, Rr, m50, m5095 = inc(0.6, e, 3, 0.7), inc(0.5, e, 3, 0.62), inc(0.55, e, 3, 0.68), inc(0.4, e, 3, 0.5)
        L.w("%22s%11i%11i" % ("all", 128, 929) + "%11.3g" * 4 % (P, Rr, m50, m5095) + "\n")
        for k, v in (("P", P), ("R", Rr), ("mAP50", m50), ("mAP50-95", m5095)):
            L.p(k, e, "%.3g" % v)
    L.w("\n3 epochs completed in 0.012 hours.\nOptimizer stripped from runs/detect/train/weights/last.pt, 6.5MB\n")
    L.save()


# ---- nanoGPT train.py --------------------------------------------------
# print(f"step {iter_num}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")
# print(f"iter {iter_num}: loss {lossf:.4f}, time {dt*1000:.2f}ms, mfu {running_mfu*100:.2f}%")
def nanogpt(name, stamp):
    L = Log(name)
    pre = (lambda i: "") if not stamp else (lambda i: "2024-01-15 10:%02d:%02d,%03d - INFO - " % (20 + i // 600, (i // 10) % 60, i % 1000))
    L.w(pre(0) + "tokens per iteration will be: 16,384\n")
    L.w(pre(0) + "found vocab_size = 65 (inside data/shakespeare_char/meta.pkl)\n")
    L.w(pre(0) + "Initializing a new model from scratch\n")
    L.w(pre(0) + "number of parameters: 10.65M\n")
    L.w(pre(0) + "num decayed parameter tensors: 26, with 10,740,096 parameters\n")
    L.w(pre(0) + "num non-decayed parameter tensors: 13, with 4,992 parameters\n")
    L.w(pre(0) + "using fused AdamW: True\ncompiling the model... (takes a ~minute)\n" if not stamp else
        pre(0) + "using fused AdamW: True\n" + pre(0) + "compiling the model... (takes a ~minute)\n")
    mfu = -100.0
    for it in range(0, 2001, 50 if stamp else 40):
        if it % 400 == 0:
            tr, va = dec(4.28, it, 2000, 1.0), dec(4.28, it, 2000, 1.45)
            L.w(pre(it) + "step %d: train loss %.4f, val loss %.4f\n" % (it, tr, va))
            L.p("train loss", it, "%.4f" % tr)
            L.p("val loss", it, "%.4f" % va)
            if it:
                L.w(pre(it) + "saving checkpoint to out-shakespeare-char\n")
        loss = dec(4.27, it, 2000, 1.0)
        dt = 30000.0 if it == 0 else R.uniform(28, 36)
        if it >= 200:
            mfu = R.uniform(10, 14)
        L.w(pre(it) + "iter %d: loss %.4f, time %.2fms, mfu %.2f%%\n" % (it, loss, dt, mfu))
        L.p("loss", it, "%.4f" % loss)
        L.p("time_ms", it, "%.2f" % dt)
        L.p("mfu", it, "%.2f" % mfu)
    L.save()


# ---- TF2 Object Detection API model_main_tf2.py ------------------------
# model_lib_v2.train_loop: logging.info('Step {} per-step time {:.3f}s') and
# logging.info(str(logged_dict)); absl writes each twice when the tf logger
# also has a handler ("INFO:tensorflow:..." and "I0322 17:16:46.566730 ...").
def tfod():
    L = Log("tf-object-detection")
    L.w("2023-03-22 17:10:02.118224: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1613] Created device "
        "/job:localhost/replica:0/task:0/device:GPU:0 with 13742 MB memory:  -> device: 0, name: Tesla T4, "
        "pci bus id: 0000:00:04.0, compute capability: 7.5\n")
    L.w("INFO:tensorflow:Using MirroredStrategy with devices ('/job:localhost/replica:0/task:0/device:GPU:0',)\n")
    L.w("I0322 17:10:02.541781 140117005326208 mirrored_strategy.py:419] Using MirroredStrategy with devices "
        "('/job:localhost/replica:0/task:0/device:GPU:0',)\n")
    L.w("INFO:tensorflow:Maybe overwriting train_steps: 2000\n")
    L.w("I0322 17:10:02.545993 140117005326208 config_util.py:552] Maybe overwriting train_steps: 2000\n")
    for s in range(100, 2001, 100):
        t = R.uniform(0.7, 1.2)
        cl, lo, rg = dec(0.7, s, 2000, 0.15), dec(0.4, s, 2000, 0.05), dec(0.16, s, 2000, 0.13)
        lr = 0.08 * min(1, s / 500)
        tail = "%02d:%02d.%06d" % (16 + s // 1000, (s // 20) % 60, R.randint(0, 999999))
        msg = "Step %d per-step time %.3fs" % (s, t)
        L.w("INFO:tensorflow:%s\n" % msg)
        L.w("I0322 17:%s 140117005326208 model_lib_v2.py:705] %s\n" % (tail, msg))
        d = ("{'Loss/classification_loss': %s,\n 'Loss/localization_loss': %s,\n 'Loss/regularization_loss': %s,\n"
             " 'Loss/total_loss': %s,\n 'learning_rate': %s}" % (repr(round(cl, 8)), repr(round(lo, 8)), repr(round(rg, 8)),
                                                               repr(round(cl + lo + rg, 8)), repr(round(lr, 7))))
        L.w("INFO:tensorflow:%s\n" % d)
        L.w("I0322 17:%s 140117005326208 model_lib_v2.py:708] %s\n" % (tail, d))
        L.p("per-step time_s", s, "%.3f" % t)
        for k, v in (("Loss/classification_loss", cl), ("Loss/localization_loss", lo), ("Loss/regularization_loss", rg),
                     ("Loss/total_loss", cl + lo + rg), ("learning_rate", lr)):
            L.p(k, s, repr(round(v, 8 if k != "learning_rate" else 7)))
    L.save()


# ---- Caffe (glog) solver ------------------------------------------------
# solver.cpp: "Iteration " << iter_ << " (" << rate << " iter/s, " << s <<
# "s/" << display << " iters), loss = " << loss; "    Train net output #0: loss
# = X (* 1 = X loss)"; sgd_solver.cpp "Iteration N, lr = X"; TestAll:
# "Iteration N, Testing net (#0)", "    Test net output #0: accuracy = X".
def caffe():
    L = Log("caffe-glog")
    pid = 28841

    def g(t, src, msg):
        L.w("I0912 11:%02d:%02d.%06d %d %s] %s\n" % (22 + t // 60, t % 60, R.randint(0, 999999), pid, src, msg))
    g(0, "caffe.cpp:204", "Using GPUs 0")
    g(0, "caffe.cpp:209", "GPU 0: GeForce GTX 1080 Ti")
    g(1, "solver.cpp:44", "Initializing solver from parameters: ")
    g(2, "net.cpp:84", "Creating Layer mnist")
    g(2, "net.cpp:380", "mnist -> data")
    g(2, "data_layer.cpp:45", "output data size: 64,1,28,28")
    g(3, "net.cpp:122", "Setting up conv1")
    g(3, "net.cpp:129", "Top shape: 64 20 24 24 (737280)")
    g(3, "net.cpp:137", "Memory required for data: 5169920")
    g(4, "solver.cpp:57", "Solver scaffolding done.")
    g(4, "caffe.cpp:239", "Starting Optimization")
    g(4, "solver.cpp:293", "Solving LeNet")
    g(4, "solver.cpp:294", "Learning Rate Policy: inv")
    t = 5
    for it in range(0, 2001, 100):
        if it % 500 == 0:
            g(t, "solver.cpp:330", "Iteration %d, Testing net (#0)" % it)
            a = inc(0.1, it, 2000, 0.99)
            g(t, "solver.cpp:397", "    Test net output #0: accuracy = %g" % round(a, 4))
            L.p("accuracy", it, "%g" % round(a, 4))
        loss = dec(2.3, it, 2000, 0.02)
        g(t, "solver.cpp:218", "Iteration %d (%g iter/s, %.3fs/100 iters), loss = %g" % (it, 312.4 if it else 0, 0.32 if it else 0, round(loss, 5)))
        g(t, "solver.cpp:237", "    Train net output #0: loss = %g (* 1 = %g loss)" % (round(loss, 5), round(loss, 5)))
        lr = 0.01 * (1 + 0.0001 * it) ** -0.75
        g(t, "sgd_solver.cpp:105", "Iteration %d, lr = %g" % (it, round(lr, 8)))
        L.p("loss", it, "%g" % round(loss, 5))
        L.p("lr", it, "%g" % round(lr, 8))
        t += 1
    g(t, "solver.cpp:447", "Snapshotting to binary proto file examples/mnist/lenet_iter_2000.caffemodel")
    g(t, "solver.cpp:315", "Optimization Done.")
    L.save()


# ---- scikit-learn MLPClassifier(verbose=True) after a tqdm bar ----------
# _multilayer_perceptron.py: print("Iteration %d, loss = %.8f") and
# print("Validation score: %f") with early_stopping.
def sklearn():
    L = Log("sklearn-mlp")
    for i in range(0, 501, 125):
        L.w("\r" + tqdm("featurize", i, 500, i / 210.1, 210.1))
    # the bar was never closed, so the first line goes on after it
    for it in range(1, 21):
        loss, vs = dec(0.69, it, 20, 0.09), inc(0.7, it, 20, 0.95)
        L.w("Iteration %d, loss = %.8f\n" % (it, loss))
        L.w("Validation score: %f\n" % vs)
        L.p("loss", it, "%.8f" % loss)
        L.p("Validation score", it, "%f" % vs)
    L.w("Validation score did not improve more than tol=0.000100 for 10 consecutive epochs. Stopping.\n")
    L.save()


# ---- Guild AI-style output scalars: "key: value" lines -----------------
# Guild's default output-scalars pattern '^(\key):\s+(\value)$', with a
# "step: N" line giving the step of the lines after it.
def guild():
    L = Log("guild-keyvalue")
    L.w("Resolving file:data.csv\nINFO: [guild] Running train.py\n")
    for s in range(1, 11):
        L.w("step: %d\n" % s)
        l, a = dec(0.9, s, 10, 0.2), inc(0.5, s, 10, 0.9)
        L.w("loss: %.6f\naccuracy: %.4f\n" % (l, a))
        L.p("loss", s, "%.6f" % l)
        L.p("accuracy", s, "%.4f" % a)
        if s % 5 == 0:
            L.w("val_loss: %.6f\n" % (l + 0.05))
            L.p("val_loss", s, "%.6f" % (l + 0.05))
    L.save()


def main():
    os.makedirs(OUT, exist_ok=True)
    keras_tty("keras-fit-tty", 3, 1875)
    keras_nontty()
    keras_tty("keras1-tty", 3, 60000, old=True)
    hf_trainer()
    sentence_transformers()
    lightning()
    mnist()
    quickstart()
    xgboost()
    lightgbm()
    catboost()
    fastai()
    yolo()
    nanogpt("nanogpt", False)
    nanogpt("nanogpt-timestamps", True)
    tfod()
    caffe()
    sklearn()
    guild()


if __name__ == "__main__":
    main()
