package dev.embassy.ratelimit.cluster;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One gRPC channel per peer, shared by probes, forwards, hand-overs and global-mode syncs.
 * Callbacks run on the transport threads (direct executor): they only complete futures.
 */
public final class PeerChannels implements AutoCloseable {
  private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();

  private record Peer(Member member, ManagedChannel channel) {}

  public ManagedChannel channel(Member member) {
    Peer peer = peers.compute(member.id(), (id, existing) -> {
      if (existing != null && existing.member().equals(member)) {
        return existing;
      }
      if (existing != null) {
        existing.channel().shutdown();
      }
      return new Peer(member, open(member));
    });
    return peer.channel();
  }

  /** Closes the channels of members that are no longer candidates. */
  public void retain(Set<Member> members) {
    Set<String> ids = members.stream().map(Member::id).collect(Collectors.toSet());
    peers.entrySet().removeIf(entry -> {
      if (ids.contains(entry.getKey()) && members.contains(entry.getValue().member())) {
        return false;
      }
      entry.getValue().channel().shutdown();
      return true;
    });
  }

  private static ManagedChannel open(Member member) {
    return Grpc.newChannelBuilderForAddress(member.host(), member.port(), InsecureChannelCredentials.create())
        .directExecutor()
        // Peers are on a trusted network and talk constantly; keep the connection warm.
        .keepAliveTime(30, TimeUnit.SECONDS)
        .build();
  }

  @Override
  public void close() {
    peers.values().forEach(peer -> peer.channel().shutdownNow());
    peers.clear();
  }
}
