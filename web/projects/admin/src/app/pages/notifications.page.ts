import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { AppNotification } from '@shared/models';
import { problemMessage } from '@shared/problem';
import { AdminApi, itemsOf } from '../admin-api.service';

@Component({
  selector: 'app-notifications-page',
  imports: [FormsModule, DatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Notifications</h1>
    <form class="card stack" (submit)="$event.preventDefault(); send()" aria-labelledby="broadcast-title">
      <h2 id="broadcast-title">Broadcast to all customers</h2>
      <label>Title <input name="title" [(ngModel)]="title" required maxlength="120" /></label>
      <label>Message <textarea name="body" rows="3" [(ngModel)]="body" required maxlength="1000"></textarea></label>
      @if (sendError()) { <p class="error" role="alert">{{ sendError() }}</p> }
      @if (sent()) { <p class="notice" role="status">{{ sent() }}</p> }
      <div><button type="submit" [disabled]="busy()">Send broadcast</button></div>
    </form>

    <section class="stack" aria-labelledby="dl-title">
      <h2 id="dl-title">Dead letters</h2>
      <button type="button" class="secondary" (click)="loadDeadLetters()">Refresh</button>
      @if (deadLetterError()) { <p class="error" role="alert">{{ deadLetterError() }}</p> }
      @if (deadLetters(); as items) {
        @if (items.length === 0) {
          <p class="empty">No dead letters. Every message was handled.</p>
        } @else {
          <table class="responsive" aria-label="Dead letters">
            <thead><tr><th>When</th><th>Title</th><th>Detail</th></tr></thead>
            <tbody>
              @for (n of items; track n.id) {
                <tr><td data-label="When">{{ n.createdAt | date: 'medium' }}</td><td data-label="Title">{{ n.title }}</td><td data-label="Detail">{{ n.body }}</td></tr>
              }
            </tbody>
          </table>
        }
      } @else if (!deadLetterError()) {
        <p class="loading" role="status">Loading dead letters…</p>
      }
    </section>
  `,
})
export class NotificationsPage implements OnInit {
  private readonly api = inject(AdminApi);
  title = '';
  body = '';
  readonly busy = signal(false);
  readonly sent = signal('');
  readonly sendError = signal('');
  readonly deadLetters = signal<AppNotification[] | null>(null);
  readonly deadLetterError = signal('');

  ngOnInit(): void {
    this.loadDeadLetters();
  }

  send(): void {
    if (!this.title.trim() || !this.body.trim()) {
      this.sendError.set('Title and message are both required.');
      return;
    }
    this.busy.set(true);
    this.sendError.set('');
    this.sent.set('');
    this.api.broadcast(this.title.trim(), this.body.trim()).subscribe({
      next: () => {
        this.busy.set(false);
        this.sent.set(`Broadcast “${this.title.trim()}” is on its way.`);
        this.title = '';
        this.body = '';
      },
      error: (error: unknown) => {
        this.busy.set(false);
        this.sendError.set(problemMessage(error));
      },
    });
  }

  loadDeadLetters(): void {
    this.deadLetterError.set('');
    this.api.deadLetters().subscribe({
      next: (value) => this.deadLetters.set(itemsOf(value)),
      error: (error: unknown) => this.deadLetterError.set(problemMessage(error)),
    });
  }
}
