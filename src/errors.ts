/**
 * An error the user can act on: bad input or arguments. The CLI prints its
 * message as one line and exits with code 2, never with a stack trace.
 */
export class SpotlintError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpotlintError';
  }
}

export function isSpotlintError(error: unknown): error is SpotlintError {
  return error instanceof SpotlintError;
}
