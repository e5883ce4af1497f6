import { TestBed } from '@angular/core/testing';
import { ConfirmDialog, ConfirmService } from './confirm';

describe('ConfirmDialog', () => {
  async function open() {
    TestBed.configureTestingModule({ imports: [ConfirmDialog] });
    const fixture = TestBed.createComponent(ConfirmDialog);
    const confirm = TestBed.inject(ConfirmService);
    await fixture.whenStable();
    const answer = confirm.ask({ title: 'Ship order 1234?', message: 'The customer is told.', confirmLabel: 'Ship order' });
    await fixture.whenStable();
    return { fixture, answer, dialog: fixture.nativeElement.querySelector('dialog') as HTMLDialogElement };
  }

  function button(dialog: HTMLElement, text: string): HTMLButtonElement {
    return [...dialog.querySelectorAll('button')].find((b) => b.textContent?.trim() === text) as HTMLButtonElement;
  }

  it('when an action asks, then a labelled dialog names the action, and confirming answers yes and closes it', async () => {
    const { fixture, answer, dialog } = await open();
    expect(dialog.open).toBe(true);
    expect(dialog.querySelector('#confirm-title')?.textContent).toBe('Ship order 1234?');
    expect(dialog.getAttribute('aria-describedby')).toBe('confirm-message');
    await Promise.resolve();
    expect(document.activeElement?.textContent?.trim()).toBe('Keep as it is');
    button(dialog, 'Ship order').click();
    expect(await answer).toBe(true);
    await fixture.whenStable();
    expect(dialog.open).toBe(false);
  });

  it('when the admin keeps things as they are (or presses Escape), then the answer is no', async () => {
    const { answer, dialog } = await open();
    button(dialog, 'Keep as it is').click();
    expect(await answer).toBe(false);

    const confirm = TestBed.inject(ConfirmService);
    const second = confirm.ask({ title: 'Replay?', message: '', confirmLabel: 'Replay' });
    dialog.dispatchEvent(new Event('cancel', { cancelable: true }));
    expect(await second).toBe(false);
  });

  it('when a second question comes while one is open, then the first is answered no', async () => {
    const confirm = TestBed.configureTestingModule({}).inject(ConfirmService);
    const first = confirm.ask({ title: 'A', message: '', confirmLabel: 'A' });
    const second = confirm.ask({ title: 'B', message: '', confirmLabel: 'B' });
    expect(await first).toBe(false);
    confirm.answer(true);
    expect(await second).toBe(true);
  });
});
