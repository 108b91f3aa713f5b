package dev.fulcrum.proxy.health;

/** Why one check failed, in the few words status and logs show; it carries no stack trace. */
final class CheckFailure extends Exception {
  CheckFailure(String message) {
    super(message, null, false, false);
  }
}
