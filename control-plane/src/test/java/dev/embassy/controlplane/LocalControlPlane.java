package dev.embassy.controlplane;

import java.util.Map;

/** Settings for a control plane started inside a test: loopback only, free ports unless given. */
final class LocalControlPlane {
  private LocalControlPlane() {}

  /** @param xdsPort the ADS port, 0 for a free one */
  static ControlPlaneConfig config(int xdsPort) {
    return ControlPlaneConfig.fromEnvironment(Map.of(
        "EMBASSY_XDS_PORT", Integer.toString(xdsPort),
        "EMBASSY_STATUS_PORT", "0",
        "EMBASSY_LISTENER_ADDRESS", "127.0.0.1",
        "EMBASSY_REPLICA_ID", "it-" + xdsPort));
  }
}
