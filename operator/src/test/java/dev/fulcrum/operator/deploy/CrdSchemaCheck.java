package dev.fulcrum.operator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The part of the API server's structural-schema validation an example can break: unknown fields
 * (which a real API server would silently prune), types, required fields, enums, patterns and
 * ranges. The Fabric8 mock server checks none of it, so examples are checked here.
 */
final class CrdSchemaCheck {
  private final List<String> problems = new ArrayList<>();

  private CrdSchemaCheck() {}

  static List<String> problems(JsonNode schema, JsonNode value) {
    CrdSchemaCheck check = new CrdSchemaCheck();
    check.check(schema, value, "");
    return check.problems;
  }

  private void check(JsonNode schema, JsonNode value, String path) {
    String type = schema.path("type").asText("");
    switch (type) {
      case "object" -> object(schema, value, path);
      case "array" -> array(schema, value, path);
      case "string" -> string(schema, value, path);
      case "integer" -> number(schema, value, path, value.isIntegralNumber());
      case "number" -> number(schema, value, path, value.isNumber());
      case "boolean" -> expect(value.isBoolean(), path, "must be a boolean, got " + value);
      default -> {}
    }
  }

  private void object(JsonNode schema, JsonNode value, String path) {
    if (!expect(value.isObject(), path, "must be an object")) {
      return;
    }
    for (JsonNode required : schema.path("required")) {
      expect(value.has(required.asText()), join(path, required.asText()), "is required");
    }
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.path("additionalProperties");
    boolean open = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String at = join(path, field.getKey());
      if (properties.has(field.getKey())) {
        check(properties.get(field.getKey()), field.getValue(), at);
      } else if (additional.isObject()) {
        check(additional, field.getValue(), at);
      } else {
        expect(open, at, "is not a field of the CRD (the API server would drop it)");
      }
    }
  }

  private void array(JsonNode schema, JsonNode value, String path) {
    if (!expect(value.isArray(), path, "must be a list")) {
      return;
    }
    if (schema.has("minItems")) {
      expect(
          value.size() >= schema.get("minItems").asInt(),
          path,
          "needs at least " + schema.get("minItems").asInt() + " items");
    }
    for (int i = 0; i < value.size(); i++) {
      check(schema.path("items"), value.get(i), path + "[" + i + "]");
    }
  }

  private void string(JsonNode schema, JsonNode value, String path) {
    if (!expect(value.isTextual(), path, "must be a string, got " + value)) {
      return;
    }
    if (schema.has("enum")) {
      List<String> allowed = new ArrayList<>();
      schema.get("enum").forEach(e -> allowed.add(e.asText()));
      expect(
          allowed.contains(value.asText()), path, "must be one of " + allowed + ", got " + value);
    }
    if (schema.has("pattern")) {
      String pattern = schema.get("pattern").asText();
      expect(
          java.util.regex.Pattern.compile(pattern).matcher(value.asText()).find(),
          path,
          "must match " + pattern + ", got " + value);
    }
  }

  private void number(JsonNode schema, JsonNode value, String path, boolean rightType) {
    if (!expect(rightType, path, "must be a " + schema.path("type").asText() + ", got " + value)) {
      return;
    }
    if (schema.has("minimum")) {
      expect(
          value.asDouble() >= schema.get("minimum").asDouble(),
          path,
          "must be >= " + schema.get("minimum").asText());
    }
    if (schema.has("maximum")) {
      expect(
          value.asDouble() <= schema.get("maximum").asDouble(),
          path,
          "must be <= " + schema.get("maximum").asText());
    }
  }

  private boolean expect(boolean ok, String path, String problem) {
    if (!ok) {
      problems.add(path + ": " + problem);
    }
    return ok;
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }
}
