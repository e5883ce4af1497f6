import { HttpErrorResponse } from '@angular/common/http';
import { problemMessage } from '@shared/problem';

describe('problemMessage', () => {
  it('when a problem+json names failed fields, then the message holds the detail and each field', () => {
    const error = new HttpErrorResponse({
      status: 400,
      error: {
        type: 'https://meridian.dev/problems/validation',
        title: 'Validation failed',
        status: 400,
        detail: 'The order is not valid.',
        errors: [{ field: 'lines[0].sku', message: 'unknown sku' }],
      },
    });
    expect(problemMessage(error)).toBe('The order is not valid. (lines[0].sku: unknown sku)');
  });

  it('when the problem arrives as text, then it is parsed and its title used when there is no detail', () => {
    const error = new HttpErrorResponse({ status: 409, error: JSON.stringify({ title: 'Order not cancellable', status: 409 }) });
    expect(problemMessage(error)).toBe('Order not cancellable');
  });

  it('when the server cannot be reached, then the message says so instead of showing a status 0', () => {
    expect(problemMessage(new HttpErrorResponse({ status: 0, error: new ProgressEvent('error') }))).toMatch(/could not be reached/);
  });

  it('when the body is not a problem, then a readable message by status is given', () => {
    expect(problemMessage(new HttpErrorResponse({ status: 403, error: '<html>' }))).toBe('You are not allowed to do this.');
    expect(problemMessage(new HttpErrorResponse({ status: 502, statusText: 'Bad Gateway', error: null }))).toBe('Request failed (502 Bad Gateway).');
  });
});
