import * as api from './api-client';
import { $, plainError } from './dom';

/**
 * The API-key dialog: shown when the server answers 401, it trades the key for the session
 * cookie (api.signIn) and resolves once that worked. Requests that fail together share one
 * dialog; the key itself is never stored by the page.
 */
export function createSignIn(): () => Promise<void> {
  const dialog = $('#key-dialog') as HTMLDialogElement;
  const form = $('#key-form') as HTMLFormElement;
  const input = $('#key-input') as HTMLInputElement;
  const error = $('#key-error');
  // nothing works without the key, so Escape must not dismiss the dialog
  dialog.addEventListener('cancel', (e) => e.preventDefault());
  let pending: Promise<void> | undefined;
  return () => {
    pending ??= new Promise<void>((resolve) => {
      error.hidden = true;
      input.value = '';
      form.onsubmit = (e) => {
        e.preventDefault();
        api.signIn(input.value).then(() => {
          dialog.close();
          pending = undefined;
          resolve();
        }, (err: unknown) => {
          error.textContent = err instanceof api.ApiError && err.status === 401 ? 'That key was not accepted.' : plainError(err);
          error.hidden = false;
          input.select();
        });
      };
      dialog.showModal();
      input.focus();
    });
    return pending;
  };
}
