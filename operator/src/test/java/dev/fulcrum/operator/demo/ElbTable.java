package dev.fulcrum.operator.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * The CRD's printer columns, in a real API server's order, for {@code kubectl get elb}: kubectl
 * asks for a meta.k8s.io Table, which the Fabric8 mock does not make.
 */
final class ElbTable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] COLUMNS = {
    "Name", "Age", "Backends", "Reason", "Ready", "Proxies", "Address"
  };

  private ElbTable() {}

  /** Whether kubectl asked for a Table of ExternalLoadBalancers (not a watch). */
  static boolean wanted(String path, String accept) {
    return accept != null
        && accept.contains("as=Table")
        && path.startsWith("/apis/" + Discovery.GROUP + "/")
        && path.contains("/externalloadbalancers")
        && !path.contains("watch=");
  }

  /** The Table for a list or a single object as the CRUD store answered it. */
  static String of(String body) throws IOException {
    JsonNode answer = JSON.readTree(body);
    ObjectNode table = JSON.createObjectNode();
    table.put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    table.putObject("metadata");
    ArrayNode columns = table.putArray("columnDefinitions");
    for (String c : COLUMNS) {
      columns.addObject().put("name", c).put("type", "string").put("format", "");
    }
    ArrayNode rows = table.putArray("rows");
    JsonNode items = answer.has("items") ? answer.get("items") : JSON.createArrayNode().add(answer);
    for (JsonNode elb : items) {
      JsonNode status = elb.path("status");
      JsonNode ready = JSON.createObjectNode();
      for (JsonNode c : status.path("conditions")) {
        if ("Ready".equals(c.path("type").asText())) {
          ready = c;
        }
      }
      ObjectNode row = rows.addObject();
      row.putArray("cells")
          .add(elb.path("metadata").path("name").asText())
          .add(age(elb.path("metadata").path("creationTimestamp").asText(null)))
          .add(status.path("backendsSummary").asText(""))
          .add(ready.path("reason").asText(""))
          .add(ready.path("status").asText(""))
          .add(status.path("proxiesSummary").asText(""))
          .add(status.path("registrationAddress").asText(""));
      row.putObject("object")
          .put("kind", "PartialObjectMetadata")
          .put("apiVersion", "meta.k8s.io/v1")
          .set("metadata", elb.path("metadata"));
    }
    return JSON.writeValueAsString(table);
  }

  private static String age(String created) {
    if (created == null) {
      return "<unknown>";
    }
    Duration d = Duration.between(Instant.parse(created), Instant.now());
    return d.toMinutes() < 2 ? d.toSeconds() + "s" : d.toMinutes() + "m";
  }
}
