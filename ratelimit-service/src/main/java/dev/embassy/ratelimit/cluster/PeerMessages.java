package dev.embassy.ratelimit.cluster;

import dev.embassy.ratelimit.window.CounterKey;
import dev.embassy.ratelimit.window.Decision;
import dev.embassy.ratelimit.window.WindowState;
import dev.embassy.proto.ratelimit.peer.v1.HitResult;

/** Conversions between the peer protocol's messages and the window package's values. */
final class PeerMessages {
  private PeerMessages() {}

  static dev.embassy.proto.ratelimit.peer.v1.CounterKey toProto(CounterKey key) {
    return dev.embassy.proto.ratelimit.peer.v1.CounterKey.newBuilder()
        .setDomain(key.domain()).setDescriptorPath(key.path()).setWindowMillis(key.windowMillis()).build();
  }

  /** @throws IllegalArgumentException for a key no sender of ours would produce */
  static CounterKey fromProto(dev.embassy.proto.ratelimit.peer.v1.CounterKey key) {
    return new CounterKey(key.getDomain(), key.getDescriptorPath(), key.getWindowMillis());
  }

  static dev.embassy.proto.ratelimit.peer.v1.WindowState toProto(CounterKey key, WindowState state) {
    return dev.embassy.proto.ratelimit.peer.v1.WindowState.newBuilder()
        .setKey(toProto(key))
        .setCurrentWindowStartEpochMillis(state.currentStart())
        .setCurrentCount(state.current())
        .setPreviousCount(state.previous())
        .build();
  }

  static WindowState fromProto(dev.embassy.proto.ratelimit.peer.v1.WindowState state) {
    return new WindowState(state.getCurrentWindowStartEpochMillis(), clamp(state.getCurrentCount()), clamp(state.getPreviousCount()));
  }

  static HitResult toProto(Decision decision) {
    return HitResult.newBuilder()
        .setOverLimit(!decision.admitted())
        .setLimitRemaining(decision.remaining())
        .setMillisUntilReset(decision.resetMillis())
        .build();
  }

  static Decision fromProto(HitResult result) {
    return new Decision(!result.getOverLimit(), clamp(result.getLimitRemaining()), clamp(result.getMillisUntilReset()));
  }

  /** uint64 on the wire; a value past Long.MAX_VALUE can only be garbage, so it saturates. */
  private static long clamp(long unsigned) {
    return unsigned < 0 ? Long.MAX_VALUE : unsigned;
  }
}
