package dev.fulcrum.proxy.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The one JSON vocabulary shared by the proxy's admin API, its state file and the operator. */
public final class WireJson {
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .build();

  private static final ObjectMapper CANONICAL =
      JsonMapper.builder()
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  private WireJson() {}

  /**
   * Reads a wire value.
   *
   * @throws MalformedJsonException when the bytes are not JSON at all (HTTP 400)
   * @throws InvalidConfigException when JSON does not fit the type; names the field (HTTP 422)
   */
  public static <T> T read(byte[] body, Class<T> type) {
    return decode(() -> MAPPER.readValue(body, type));
  }

  /** {@link #read(byte[], Class)} of JSON already parsed into a tree, with the same errors. */
  public static <T> T read(JsonNode tree, Class<T> type) {
    return decode(() -> MAPPER.treeToValue(tree, type));
  }

  private interface Decode<T> {
    T run() throws java.io.IOException;
  }

  private static <T> T decode(Decode<T> decode) {
    try {
      T value = decode.run();
      if (value == null) {
        throw new InvalidConfigException("body", "must be a JSON object, not null");
      }
      return value;
    } catch (JsonMappingException e) {
      if (e.getCause() instanceof com.fasterxml.jackson.core.exc.StreamReadException syntax) {
        // A syntax error inside a nested value is still not JSON: 400, not a field problem.
        throw new MalformedJsonException("malformed JSON: " + syntax.getOriginalMessage(), e);
      }
      throw invalid(e);
    } catch (JsonProcessingException e) {
      throw new MalformedJsonException("malformed JSON: " + e.getOriginalMessage(), e);
    } catch (java.io.IOException e) {
      throw new MalformedJsonException("unreadable body: " + e.getMessage(), e);
    }
  }

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }

  static String contentVersion(LoadBalancerConfig content) {
    try {
      byte[] canonical = CANONICAL.writeValueAsBytes(content);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash load balancer config", e);
    }
  }

  /** The field-named problem behind a JSON or YAML value that does not fit its type. */
  public static InvalidConfigException invalid(JsonMappingException e) {
    return new InvalidConfigException(
        fieldPath(e), e instanceof MismatchedInputException m ? describe(m) : rootMessage(e));
  }

  /** {@code backends[2].port} from Jackson's reference path. */
  static String fieldPath(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.length() == 0 ? "body" : path.toString();
  }

  private static String describe(MismatchedInputException e) {
    if (e instanceof UnrecognizedPropertyException) {
      return "unknown field";
    }
    String root = rootMessage(e);
    if (root != null && root.startsWith("unknown value")) {
      return root;
    }
    String target = e.getTargetType() == null ? "value" : e.getTargetType().getSimpleName();
    return "wrong type (expected " + friendly(target) + ")";
  }

  private static String friendly(String javaType) {
    return switch (javaType) {
      case "Integer", "int", "Long", "long" -> "an integer";
      case "String" -> "a string";
      case "List" -> "an array";
      default -> "an object";
    };
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t instanceof IllegalArgumentException
        ? t.getMessage()
        : (t instanceof JsonMappingException jm ? jm.getOriginalMessage() : t.getMessage());
  }
}
