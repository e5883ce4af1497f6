import { Routes } from '@angular/router';
import { signedInGuard } from './auth.guard';

export const routes: Routes = [
  { path: '', loadComponent: () => import('./pages/home.page').then((m) => m.HomePage), title: 'Meridian shop' },
  { path: 'callback', loadComponent: () => import('./pages/callback.page').then((m) => m.CallbackPage), title: 'Signing in' },
  { path: 'products', canActivate: [signedInGuard], loadComponent: () => import('./pages/products.page').then((m) => m.ProductsPage), title: 'Products · Meridian' },
  { path: 'cart', canActivate: [signedInGuard], loadComponent: () => import('./pages/cart.page').then((m) => m.CartPage), title: 'Cart · Meridian' },
  { path: 'orders', canActivate: [signedInGuard], loadComponent: () => import('./pages/orders.page').then((m) => m.OrdersPage), title: 'My orders · Meridian' },
  { path: '**', redirectTo: '' },
];
