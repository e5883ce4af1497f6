import { ChangeDetectionStrategy, Component, ElementRef, Injectable, effect, inject, signal, viewChild } from '@angular/core';

/** What an irreversible action asks before it runs. */
export interface ConfirmRequest {
  title: string;
  message: string;
  /** The confirming button's text: the action itself ("Ship order"), never a bare "OK". */
  confirmLabel: string;
  danger?: boolean;
}

interface Pending extends ConfirmRequest {
  resolve(confirmed: boolean): void;
}

/** One question at a time; a new question answers the open one with "no". */
@Injectable({ providedIn: 'root' })
export class ConfirmService {
  private readonly open = signal<Pending | null>(null);
  readonly pending = this.open.asReadonly();

  ask(request: ConfirmRequest): Promise<boolean> {
    this.open()?.resolve(false);
    return new Promise<boolean>((resolve) => this.open.set({ ...request, resolve }));
  }

  answer(confirmed: boolean): void {
    const pending = this.open();
    if (!pending) return;
    this.open.set(null);
    pending.resolve(confirmed);
  }
}

/**
 * The modal the console asks its questions in: a native <dialog> (focus kept inside, Escape cancels, focus
 * returns to the button that opened it), with "Keep" focused first so Enter never confirms by accident.
 */
@Component({
  selector: 'app-confirm-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <dialog #dialog class="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-message" (cancel)="$event.preventDefault(); confirm.answer(false)">
      @if (confirm.pending(); as q) {
        <h2 id="confirm-title">{{ q.title }}</h2>
        <p id="confirm-message">{{ q.message }}</p>
        <div class="row actions">
          <button #keep type="button" class="secondary" (click)="confirm.answer(false)">Keep as it is</button>
          <button type="button" [class.danger]="q.danger" (click)="confirm.answer(true)" data-testid="confirm">{{ q.confirmLabel }}</button>
        </div>
      }
    </dialog>
  `,
  styles: `
    .confirm { border: 1px solid var(--line); border-radius: 10px; padding: 1.25rem; max-width: min(30rem, calc(100vw - 2rem)); color: var(--fg); background: var(--card); }
    .confirm::backdrop { background: rgb(16 38 79 / 0.45); }
    .confirm h2 { margin-top: 0; }
    .actions { justify-content: flex-end; }
  `,
})
export class ConfirmDialog {
  readonly confirm = inject(ConfirmService);
  private readonly dialog = viewChild.required<ElementRef<HTMLDialogElement>>('dialog');
  private readonly keep = viewChild<ElementRef<HTMLButtonElement>>('keep');

  constructor() {
    effect(() => {
      const dialog = this.dialog().nativeElement;
      const asking = this.confirm.pending() !== null;
      if (asking && !dialog.open) {
        if (typeof dialog.showModal === 'function') dialog.showModal();
        else dialog.setAttribute('open', '');
      } else if (!asking && dialog.open) {
        if (typeof dialog.close === 'function') dialog.close();
        else dialog.removeAttribute('open');
      }
      if (asking) queueMicrotask(() => this.keep()?.nativeElement.focus());
    });
  }
}
