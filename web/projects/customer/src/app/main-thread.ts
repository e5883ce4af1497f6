import { DestroyRef, PendingTasks, inject, signal } from '@angular/core';

/**
 * Work split into main-thread tasks. On a mid-tier phone one task past 50 ms delays the next tap (Lighthouse's
 * total blocking time), so a page shows its first part in the navigation's task and the rest in tasks of their own.
 */

/**
 * Runs `work` in a task of its own after the current one (after this render has painted its part). It counts as
 * pending work, so the app is stable (whenStable) only once it has run; it does not run once the caller is destroyed.
 * Call it in an injection context (a constructor or field initialiser).
 */
export function inNextTask(work: () => void): void {
  const done = inject(PendingTasks).add();
  const timer = setTimeout(() => {
    done();
    work();
  });
  inject(DestroyRef).onDestroy(() => {
    clearTimeout(timer);
    done();
  });
}

/**
 * How many of a list's items are shown, grown a few at a time with a macrotask between steps. Building two dozen
 * product cards in one go blocks a mid-tier phone's main thread for a third of a second; in steps of a few cards
 * the first ones paint at once and taps and scrolls are answered between steps. The steps count as pending work,
 * so the app is stable (whenStable) only once every item shows.
 */
export class StepwiseCount {
  private readonly pending = inject(PendingTasks);
  private readonly shown = signal(0);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private done: (() => void) | undefined;

  readonly count = this.shown.asReadonly();

  /** `firstStep` items show at once (0: all in later tasks), then `perStep` per task. */
  constructor(
    private readonly perStep: number,
    private readonly firstStep = perStep,
  ) {
    inject(DestroyRef).onDestroy(() => this.stop());
  }

  /** Shows `total` items: those already shown (at most `keep`) stay, the first step shows at once, the rest follow. */
  grow(total: number, keep = 0): void {
    this.stop();
    this.shown.set(Math.min(total, Math.max(keep, 0) + this.firstStep));
    if (this.shown() < total) {
      this.done = this.pending.add();
      this.next(total);
    }
  }

  private next(total: number): void {
    this.timer = setTimeout(() => {
      this.shown.update((n) => Math.min(total, n + this.perStep));
      if (this.shown() < total) this.next(total);
      else this.stop();
    });
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.done?.();
    this.done = undefined;
  }
}
