import type { Artifact } from '../../../main/services/views.ts';

// Bytes in and out of the console: files picked or dropped become base64 for the contract, and
// artifacts from the services become downloads through a Blob link (nothing is written elsewhere).

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + chunk));
  }
  return btoa(binary);
}

export function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

export function textToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

export async function fileToBase64(file: File): Promise<string> {
  return bytesToBase64(new Uint8Array(await file.arrayBuffer()));
}

export function artifactText(artifact: Artifact): string {
  return new TextDecoder().decode(base64ToBytes(artifact.contentBase64));
}

export function downloadArtifact(artifact: Artifact): void {
  const blob = new Blob([base64ToBytes(artifact.contentBase64)], { type: artifact.mimeType });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = artifact.fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The click has handed the Blob to the download; free it once this task is done.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
