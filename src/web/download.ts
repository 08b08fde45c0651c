// Saving something the page made (a result as JSON, a figure as SVG or PNG) as a file.

/** Saves `url` (a blob: or data: URL) under `fileName` through a temporary link. */
export function downloadUrl(fileName: string, url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
}

export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  downloadUrl(fileName, url);
  setTimeout(() => URL.revokeObjectURL(url), 10_000); // the download has started by then
}
