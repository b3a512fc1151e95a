package com.ecomcrm.api.tokens;

import com.ecomcrm.api.config.ShopifySettings;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * Blocking client of Shopify's {@code POST https://{shop}/admin/oauth/access_token} for the three grants the app uses:
 * authorization code, token exchange (session token in, expiring offline token out) and refresh. The body is JSON,
 * as Shopify's own libraries send it. A 4xx becomes a {@link TokenRefusedException}; no answer (I/O error, timeout,
 * 5xx) a {@link DomainException} with {@link ErrorCode#UNAVAILABLE}, which callers may retry.
 */
public final class AccessTokenClient {
    static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token";
    static final String OFFLINE_ACCESS_TOKEN = "urn:shopify:params:oauth:token-type:offline-access-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final ShopifySettings shopify;
    private final String clientId;
    private final String clientSecret;

    public AccessTokenClient(HttpClient http, ShopifySettings shopify, String clientId, String clientSecret) {
        this.http = requireNonNull(http, "http is null");
        this.shopify = requireNonNull(shopify, "shopify is null");
        this.clientId = requireNonNull(clientId, "clientId is null");
        this.clientSecret = requireNonNull(clientSecret, "clientSecret is null");
    }

    /** Trades the callback's {@code code} for an expiring offline token. */
    public TokenGrant authorizationCode(ShopId shop, String code) {
        return request(shop, "exchange the authorization code", base().put("code", code).put("expiring", "1"));
    }

    /** Trades an App Bridge session token for an expiring offline token (shopify-platform.md 1.4). */
    public TokenGrant exchange(ShopId shop, String sessionToken) {
        return request(shop, "exchange the session token", base()
                .put("grant_type", TOKEN_EXCHANGE)
                .put("subject_token", sessionToken)
                .put("subject_token_type", ID_TOKEN)
                .put("requested_token_type", OFFLINE_ACCESS_TOKEN)
                .put("expiring", "1"));
    }

    /** A new access and refresh token pair for the refresh token (shopify-platform.md 1.5). */
    public TokenGrant refresh(ShopId shop, String refreshToken) {
        return request(shop, "refresh the access token", base()
                .put("grant_type", "refresh_token")
                .put("refresh_token", refreshToken));
    }

    private ObjectNode base() {
        return JSON.createObjectNode().put("client_id", clientId).put("client_secret", clientSecret);
    }

    private TokenGrant request(ShopId shop, String doing, ObjectNode body) {
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(shopify.accessTokenUrl(shop.domain()))
                            .timeout(Duration.ofSeconds(20))
                            .header("Content-Type", "application/json")
                            .header("Accept", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot " + doing + " for " + shop + ": " + e, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DomainException(ErrorCode.UNAVAILABLE, "Interrupted while trying to " + doing + " for " + shop, e);
        }
        JsonNode answer = parse(response.body());
        if (response.statusCode() >= 400 && response.statusCode() < 500) {
            String error = answer.path("error").asText("http_" + response.statusCode());
            throw new TokenRefusedException(error, "Cannot " + doing + " for " + shop + ": Shopify refused it ("
                    + error + ")");
        }
        if (response.statusCode() != 200) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot " + doing + " for " + shop + ": HTTP "
                    + response.statusCode());
        }
        return TokenGrant.fromJson(answer);
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body == null || body.isEmpty() ? "{}" : body);
        }
        catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
