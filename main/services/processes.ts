/**
 * Whether a process of this machine is still running: signal 0 checks without signalling. EPERM means
 * it runs as another user. A reused pid reads as alive, which only delays a clean-up.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}
