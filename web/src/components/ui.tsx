import type { ComponentChildren } from 'preact';
import { ApiError } from '../api.js';

/** A server error shown in context: its message, the field at fault, and the stable code. */
export function ErrorNote({ error, prefix }: { error: unknown; prefix?: string }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError(0, 'internal', error instanceof Error ? error.message : String(error));
  return (
    <div class="error" role="alert">
      {prefix && <strong>{prefix} </strong>}
      <span>{e.message}</span>
      {e.field && (
        <span class="muted">
          {' '}
          (field <code>{e.field}</code>)
        </span>
      )}
      <span class="code"> [{e.code}]</span>
    </div>
  );
}

/** The message for one field, from an error whose field is it (or starts with it: members.2). */
export function fieldError(error: unknown, field: string): string | null {
  if (!(error instanceof ApiError) || !error.field) return null;
  return error.field === field || error.field.startsWith(`${field}.`) ? error.message : null;
}

/** A field's hint and error lines, with the ids its control's aria-describedby points to. */
export function FieldNotes({ id, hint, error }: { id: string; hint?: string | undefined; error?: string | null | undefined }) {
  return (
    <>
      {hint && (
        <small class="hint" id={`${id}-hint`}>
          {hint}
        </small>
      )}
      {error && (
        <small class="field-error" id={`${id}-error`} role="alert">
          {error}
        </small>
      )}
    </>
  );
}

export function Field({ label, id, error, hint, children }: { label: string; id: string; error?: string | null; hint?: string; children: ComponentChildren }) {
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children}
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="state" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="state empty">{children}</p>;
}

export const time = (iso: string): string => {
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
};
