import { ChangeDetectionStrategy, Component, input } from '@angular/core';

/** A product picture with a fixed 4:3 frame (no layout shift); a plain tile with the initial when there is none. */
@Component({
  selector: 'app-product-image',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (src()) {
      <img [src]="src()" [alt]="alt()" [attr.width]="width()" [attr.height]="(width() * 3) / 4"
        [attr.loading]="eager() ? 'eager' : 'lazy'" [attr.fetchpriority]="eager() ? 'high' : null" decoding="async" />
    } @else {
      <span class="placeholder" [attr.role]="alt() ? 'img' : null" [attr.aria-label]="alt() || null">{{ initial() }}</span>
    }
  `,
  host: { class: 'product-image' },
})
export class ProductImage {
  readonly src = input<string>('');
  readonly name = input.required<string>();
  /** Empty when the picture sits next to the product's name (decorative). */
  readonly alt = input<string>('');
  readonly width = input(400);
  readonly eager = input(false);
  initial(): string {
    return this.name().trim().charAt(0).toUpperCase() || '?';
  }
}
