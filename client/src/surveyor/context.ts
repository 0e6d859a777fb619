// What the console's views get from the shell.
import type { AccountView } from '@cloudship/shared';

export interface ConsoleContext {
  account: AccountView;
  /** Go to a hash route, e.g. `#/inspections/<id>`. */
  navigate: (hash: string) => void;
  /** The server no longer knows this session: back to the sign-in form. */
  signedOut: () => void;
  /** A required password change is done: reload the account and open the console. */
  passwordChanged: () => void;
}
