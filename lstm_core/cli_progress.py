"""The command line's progress display: a redrawn bar on a terminal, plain lines in a log."""

from __future__ import annotations

import sys
from typing import TextIO

from lstm_core.progress import BatchProgress, Callback, EpochProgress, History, TrainStart


class ProgressBar(Callback):
    """Text progress on a stream: a redrawn bar on a terminal, one plain line per epoch otherwise."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.total, self.epochs, self.last = 1, 1, ""

    def on_train_start(self, info: TrainStart) -> None:
        self.total, self.epochs = max(info.total_steps, 1), info.cfg.epochs

    def _line(self, step: int, epoch: int, loss: float, val: float | None, eta: float) -> str:
        done = min(int(self.width * step / self.total), self.width)
        val_text = "" if val is None else f" val {val:.4f}"
        eta_text = f" ETA {eta:.0f}s" if eta == eta else ""  # NaN before the first step
        return (f"[{'#' * done}{'.' * (self.width - done)}] epoch {epoch}/{self.epochs} "
                f"loss {loss:.4f}{val_text}{eta_text}")

    def on_batch_end(self, progress: BatchProgress) -> None:
        if self.tty:  # a batch has no validation loss
            self._draw(self._line(progress.step, progress.epoch, progress.loss, None, progress.eta))

    def on_epoch_end(self, progress: EpochProgress) -> None:
        line = self._line(progress.step, progress.epoch, progress.train_loss, progress.val_loss, progress.eta)
        if self.tty:
            self._draw(line)
        else:
            print(line, file=self.stream, flush=True)

    def _draw(self, line: str) -> None:
        pad = " " * max(len(self.last) - len(line), 0)
        self.stream.write(f"\r{line}{pad}")
        self.stream.flush()
        self.last = line

    def on_train_end(self, history: History) -> None:
        if self.tty and self.last:
            self.stream.write("\n")
        print(history.message or f"Training {history.stop_reason}.", file=self.stream, flush=True)
