/**
 * An error the user can act on: bad input or arguments. The CLI prints its
 * message as one line (plus any detail lines) and exits with code 2, never
 * with a stack trace.
 */
export class SpotlintError extends Error {
  /**
   * @param details further lines (e.g. one per problem in a config file),
   *   printed indented under the message
   */
  constructor(message: string, readonly details: readonly string[] = []) {
    super(message);
    this.name = 'SpotlintError';
  }
}

export function isSpotlintError(error: unknown): error is SpotlintError {
  return error instanceof SpotlintError;
}
