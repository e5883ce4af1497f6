import { Routes } from '@angular/router';
import { adminGuard } from './admin.guard';

export const routes: Routes = [
  { path: '', pathMatch: 'full', canActivate: [adminGuard], loadComponent: () => import('./pages/dashboard/dashboard.page').then((m) => m.DashboardPage), title: 'Dashboard · Meridian admin' },
  { path: 'sign-in', loadComponent: () => import('./pages/sign-in.page').then((m) => m.SignInPage), title: 'Sign in · Meridian admin' },
  { path: 'refused', loadComponent: () => import('./pages/refused.page').then((m) => m.RefusedPage), title: 'Access refused · Meridian admin' },
  { path: 'orders', canActivate: [adminGuard], loadComponent: () => import('./pages/orders.page').then((m) => m.OrdersPage), title: 'Orders · Meridian admin' },
  { path: 'orders/:id', canActivate: [adminGuard], loadComponent: () => import('./pages/order-detail.page').then((m) => m.OrderDetailPage), title: 'Order · Meridian admin' },
  { path: 'inventory', canActivate: [adminGuard], loadComponent: () => import('./pages/inventory.page').then((m) => m.InventoryPage), title: 'Inventory · Meridian admin' },
  { path: 'audit', canActivate: [adminGuard], loadComponent: () => import('./pages/audit.page').then((m) => m.AuditPage), title: 'Audit · Meridian admin' },
  { path: 'notifications', canActivate: [adminGuard], loadComponent: () => import('./pages/notifications.page').then((m) => m.NotificationsPage), title: 'Notifications · Meridian admin' },
  { path: '**', redirectTo: '' },
];
