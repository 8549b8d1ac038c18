package dev.embassy.admin;

import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** A test against the real admin API on a fresh real Postgres database, one per test method. */
@ExtendWith(PostgresExtension.class)
abstract class AdminApiTestCase {
  protected AdminApiFixture api;

  @BeforeEach
  void startAdminApi(TestDatabase database) {
    api = AdminApiFixture.start(database);
  }

  @AfterEach
  void stopAdminApi() {
    api.close();
  }
}
