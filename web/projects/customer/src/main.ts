import { bootstrapApplication } from '@angular/platform-browser';
import { appConfig } from './app/app.config';
import { App } from './app/app';
import { RUNTIME_CONFIG, loadRuntimeConfig } from './app/config';

loadRuntimeConfig()
  .then((config) =>
    bootstrapApplication(App, {
      ...appConfig,
      providers: [...appConfig.providers, { provide: RUNTIME_CONFIG, useValue: config }],
    }),
  )
  .catch((err: unknown) => {
    console.error(err);
    const root = document.querySelector('app-root');
    if (root) {
      root.innerHTML = '<main><p class="error" role="alert">The shop could not start: its configuration is missing or invalid.</p></main>';
    }
  });
