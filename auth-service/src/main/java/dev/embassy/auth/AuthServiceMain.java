package dev.embassy.auth;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs auth-service until stopped; settings from the environment ({@link AuthServiceConfig}). */
public final class AuthServiceMain {
  private static final Logger LOG = LoggerFactory.getLogger(AuthServiceMain.class);

  private AuthServiceMain() {}

  public static void main(String[] args) throws Exception {
    AuthServiceConfig config;
    try {
      config = AuthServiceConfig.fromEnvironment(System.getenv());
    } catch (RuntimeException e) {
      // Configuration errors are the operator's to fix; a stack trace would bury the message.
      LOG.error("cannot start: {}", e.getMessage());
      System.exit(2);
      return;
    }
    AuthService service = AuthService.start(config, Clock.systemUTC());
    LOG.atInfo().addKeyValue("grpc", config.bind() + ":" + service.grpcPort())
        .addKeyValue("status", config.statusBind() + ":" + service.statusPort()).log("auth-service serving");
    Runtime.getRuntime().addShutdownHook(new Thread(service::close, "shutdown"));
    service.awaitTermination();
  }
}
