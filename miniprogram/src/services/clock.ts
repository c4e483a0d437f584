/** The one place the app reads the time; domain functions take `nowMs` as an argument. */
export const clock = {
  now: (): number => Date.now(),
};
