/**
 * The signal one logical call (its attempts and the reading of its answer) is sent with: it aborts at
 * the call's deadline or with either of the caller's signals (the operation's; for a read also the
 * request's refused credentials), whichever comes first, and is ended (its timer cleared, the callers'
 * signals no longer followed) once the answer has been read or the call has failed.
 *
 * Made once per call, so it is kept cheap: it is itself the abort signal undici is given (an
 * `AbortSource`, `abort-source.ts`), with one cleared timer. A caller's signal gets one listener for
 * all the calls that follow it (a set of them), not one per call: a portfolio of 20 accounts makes 20
 * calls on one signal.
 */
import { AbortSource, type Cancellation } from './abort-source.ts';

/**
 * The calls following a platform `AbortSignal` (a caller without an operation budget: a background
 * download's). An `AbortSource` keeps its own followers (`addFollower`); a platform signal cannot.
 */
const signalFollowers = new WeakMap<AbortSignal, Set<CallSignal>>();

/** Adds `call` to the calls following `signal`; a platform signal's one listener is added with its first follower. */
function follow(signal: Cancellation, call: CallSignal): void {
  if (signal instanceof AbortSource) return signal.addFollower(call);
  let calls = signalFollowers.get(signal);
  if (!calls) {
    const following = (calls = new Set());
    signalFollowers.set(signal, following);
    signal.addEventListener(
      'abort',
      () => {
        for (const follower of [...following]) follower.abort(signal.reason);
        following.clear();
      },
      { once: true },
    );
  }
  calls.add(call);
}

function unfollow(signal: Cancellation, call: CallSignal): void {
  if (signal instanceof AbortSource) signal.removeFollower(call);
  else signalFollowers.get(signal)?.delete(call);
}

export class CallSignal extends AbortSource {
  private readonly timer: ReturnType<typeof setTimeout>;
  private deadlineReached = false;
  private ended = false;

  constructor(
    deadlineMs: number,
    private readonly caller?: Cancellation,
    private readonly alsoCaller?: Cancellation,
  ) {
    super();
    // The signal is the timer's argument: no closure per call.
    this.timer = setTimeout(CallSignal.deadlineOf, deadlineMs, this);
    this.timer.unref?.();
    const aborted = caller?.aborted ? caller : alsoCaller?.aborted ? alsoCaller : undefined;
    if (aborted) {
      this.abort(aborted.reason);
      return;
    }
    if (caller) follow(caller, this);
    if (alsoCaller) follow(alsoCaller, this);
  }

  /** Whether the call's own deadline is what aborted it (a timeout), not a caller. */
  get deadlinePassed(): boolean {
    return this.deadlineReached;
  }

  /** The call is over: the deadline no longer runs and the callers' signals are no longer followed. Idempotent. */
  readonly end = (): void => {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    if (this.caller) unfollow(this.caller, this);
    if (this.alsoCaller) unfollow(this.alsoCaller, this);
  };

  /** Ends the call and aborts it with `reason` (a caller's, or the deadline's); the first abort wins. */
  override abort(reason: unknown): void {
    this.end();
    super.abort(reason);
  }

  /** Resolves after `ms`, or at once when the call is (or gets) aborted: the wait between two attempts. */
  wait(ms: number): Promise<void> {
    if (this.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.removeListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.once('abort', done);
    });
  }

  private static deadlineOf(call: CallSignal): void {
    call.deadlineReached = true;
    call.abort(new DOMException('The upstream call deadline passed.', 'TimeoutError'));
  }
}
