import { useEffect, useRef, useState } from 'preact/hooks';
import type { Upload } from '../chat.js';
import { fileType, fileUrl, humanSize, previewable } from '../files.js';
import { useChat } from '../hooks.js';
import { Icon } from '../icons.js';
import type { FileInfo } from '../types.js';
import { ErrorNote } from './ui.js';

/**
 * A file in a message: name, size, type and a download link; a safe image (png, jpeg, gif, webp)
 * also as a lazy-loaded preview in a fixed-height box (so the list does not jump when it loads)
 * that opens the full image.
 */
export function FileCard({ file }: { file: FileInfo }) {
  const url = fileUrl(file);
  const size = humanSize(file.size);
  return (
    <div class="file-card">
      {url && previewable(file) && (
        <a class="file-preview" href={url} target="_blank" rel="noopener noreferrer" aria-label={`Open the image ${file.name}`}>
          <img src={url} alt="" loading="lazy" decoding="async" />
        </a>
      )}
      <div class="file-row">
        <Icon name="file" size={22} />
        <div class="file-info">
          <span class="file-name">{file.name}</span>
          <span class="muted small" title={file.contentType}>
            {size} · {fileType(file)}
          </span>
        </div>
        {url && (
          <a class="button small file-download" href={url} download={file.name} aria-label={`Download ${file.name} (${size})`}>
            <Icon name="download" size={14} /> <span class="send-label">Download</span>
          </a>
        )}
      </div>
    </div>
  );
}

/** Uploads under way (progress, Cancel) and refused or failed ones (the reason, Retry/Dismiss), next to the composer. */
export function Uploads({ roomId, uploads }: { roomId: number; uploads: readonly Upload[] }) {
  const c = useChat();
  if (uploads.length === 0) return null;
  return (
    <ul class="uploads" aria-label="Files">
      {uploads.map((u) => {
        const percent = u.total > 0 ? Math.min(100, Math.floor((u.loaded / u.total) * 100)) : 0;
        return (
          <li key={u.key} class={`upload ${u.state}`}>
            <div class="upload-row">
              <Icon name="file" size={16} />
              <span class="file-name">{u.name}</span>
              <span class="muted small">{humanSize(u.size)}</span>
              {u.state === 'failed' ? (
                <>
                  {u.file && (
                    <button type="button" class="small" onClick={() => c.retryUpload(roomId, u.key)}>
                      Retry
                    </button>
                  )}
                  <button type="button" class="small ghost" aria-label={`Dismiss the message about ${u.name}`} onClick={() => c.cancelUpload(roomId, u.key)}>
                    Dismiss
                  </button>
                </>
              ) : (
                <>
                  <progress max={100} value={percent} aria-label={`Uploading ${u.name}`} />
                  <span class="small" aria-hidden="true">
                    {u.state === 'processing' ? 'finishing…' : `${percent}%`}
                  </span>
                  <button type="button" class="small ghost" aria-label={`Cancel uploading ${u.name}`} onClick={() => c.cancelUpload(roomId, u.key)} disabled={u.state === 'processing'}>
                    Cancel
                  </button>
                </>
              )}
            </div>
            {u.error && <ErrorNote error={u.error} prefix={`${u.name} was not posted.`} />}
          </li>
        );
      })}
    </ul>
  );
}

const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;

/**
 * Drag and drop of files onto a room: `over` while files are dragged above it (for the overlay),
 * and the event handlers for its element. Dropping calls `onFiles`; the browser never opens the file.
 */
export function useDropZone(onFiles: (files: File[]) => void) {
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  // A file dropped beside the zone must not make the browser leave pchat to open it.
  useEffect(() => {
    const guard = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    addEventListener('dragover', guard);
    addEventListener('drop', guard);
    return () => {
      removeEventListener('dragover', guard);
      removeEventListener('drop', guard);
    };
  }, []);
  const handlers = {
    onDragEnter: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current++;
      setOver(true);
    },
    onDragOver: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setOver(false);
    },
    onDrop: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current = 0;
      setOver(false);
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length > 0) onFiles(files);
    },
  };
  return { over, handlers };
}
