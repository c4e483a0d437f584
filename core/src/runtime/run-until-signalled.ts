/**
 * The entry-point convention of every process: start, and on SIGTERM/SIGINT
 * (or a programming error) stop gracefully, then exit. The handlers are
 * installed before start-up finishes, so a signal during start-up still ends
 * in a clean stop rather than the default abrupt exit.
 */
export async function runUntilSignalled(start: () => Promise<{ stop(): Promise<void> }>): Promise<void> {
  const starting = start();
  const shutdown = (reason: string) => {
    void starting
      .then((running) => running.stop())
      .then(
        () => process.exit(process.exitCode ?? 0),
        (error: unknown) => {
          console.error(`shutdown after ${reason} failed`, error);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  // A programming error leaves the process in an unknown state: log it, close what we can, exit non-zero.
  process.once('uncaughtException', (error) => {
    console.error('uncaught exception', error);
    process.exitCode = 1;
    shutdown('uncaughtException');
  });
  await starting;
}
