package dev.embassy.auth.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenSourceTest {
  @Test
  void bearerHeaderSchemeIsCaseInsensitive() {
    TokenSource bearer = new TokenSource.BearerHeader();
    assertThat(bearer.extract(Map.of("authorization", "Bearer abc"), "/")).hasValue("abc");
    assertThat(bearer.extract(Map.of("authorization", "bearer abc"), "/")).hasValue("abc");
    assertThat(bearer.extract(Map.of("authorization", "Basic abc"), "/")).isEmpty();
    assertThat(bearer.extract(Map.of("authorization", "Bearer"), "/")).isEmpty();
    assertThat(bearer.extract(Map.of(), "/")).isEmpty();
  }

  @Test
  void headerCookieAndQuery() {
    assertThat(new TokenSource.Header("X-Token").extract(Map.of("x-token", " abc "), "/")).hasValue("abc");
    TokenSource cookie = new TokenSource.Cookie("session");
    assertThat(cookie.extract(Map.of("cookie", "a=1; session=abc; b=2"), "/")).hasValue("abc");
    assertThat(cookie.extract(Map.of("cookie", "xsession=abc"), "/")).isEmpty();
    assertThat(cookie.extract(Map.of("cookie", "session=\"abc\""), "/")).hasValue("abc");
    TokenSource query = new TokenSource.QueryParam("access_token");
    assertThat(query.extract(Map.of(), "/orders?x=1&access_token=a.b.c")).hasValue("a.b.c");
    assertThat(query.extract(Map.of(), "/orders?access_token=a%2Eb")).hasValue("a.b");
    assertThat(query.extract(Map.of(), "/orders?x_access_token=a")).isEmpty();
    assertThat(query.extract(Map.of(), "/orders")).isEmpty();
    assertThat(query.extract(Map.of(), "/orders?access_token=%zz")).isEmpty();
  }

  @Test
  void eachSourceSaysHowToTakeItsTokenOutOfTheRequest() {
    assertThat(new TokenSource.BearerHeader().removal(Map.of()).headers()).containsExactly("authorization");
    assertThat(new TokenSource.Header("X-Token").removal(Map.of()).headers()).containsExactly("x-token");
    TokenSource.Removal cookie = new TokenSource.Cookie("session").removal(Map.of("cookie", "a=1; session=abc; b=2"));
    assertThat(cookie.headers()).isEmpty();
    assertThat(cookie.setHeaders()).containsExactly(Map.entry("cookie", "a=1; b=2"));
    assertThat(new TokenSource.Cookie("session").removal(Map.of("cookie", "session=abc")).headers()).containsExactly("cookie");
    assertThat(new TokenSource.Cookie("session").removal(Map.of("cookie", "xsession=1")).setHeaders()).containsExactly(Map.entry("cookie", "xsession=1"));
    TokenSource.Removal query = new TokenSource.QueryParam("access_token").removal(Map.of());
    assertThat(query.queryParameters()).containsExactly("access_token");
    assertThat(query.headers()).isEmpty();
  }
}
