package dev.fulcrum.operator.testing;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds Nodes the way K3s registers them: servers carry the control-plane role label. */
public final class Nodes {
  public static final String CONTROL_PLANE = "node-role.kubernetes.io/control-plane";

  private final String name;
  private final Map<String, String> labels = new LinkedHashMap<>();
  private final List<NodeAddress> addresses = new ArrayList<>();
  private boolean ready = true;
  private String deletionTimestamp;
  private String heartbeat = "2026-01-01T00:00:00Z";

  private Nodes(String name) {
    this.name = name;
  }

  /** A K3s server (control-plane, etcd and master roles) with an InternalIP. */
  public static Nodes server(String name, String internalIp) {
    Nodes n = new Nodes(name);
    n.labels.put(CONTROL_PLANE, "true");
    n.labels.put("node-role.kubernetes.io/master", "true");
    n.labels.put("node-role.kubernetes.io/etcd", "true");
    return n.address("InternalIP", internalIp);
  }

  /** An agent: no role labels. */
  public static Nodes agent(String name, String internalIp) {
    return new Nodes(name).address("InternalIP", internalIp);
  }

  /** An etcd-only server: serves no API. */
  public static Nodes etcdOnly(String name, String internalIp) {
    Nodes n = new Nodes(name);
    n.labels.put("node-role.kubernetes.io/etcd", "true");
    return n.address("InternalIP", internalIp);
  }

  public Nodes address(String type, String address) {
    NodeAddress a = new NodeAddress();
    a.setType(type);
    a.setAddress(address);
    addresses.add(a);
    return this;
  }

  public Nodes label(String key, String value) {
    labels.put(key, value);
    return this;
  }

  public Nodes ready(boolean value) {
    ready = value;
    return this;
  }

  public Nodes deleting() {
    deletionTimestamp = "2026-01-01T00:00:00Z";
    return this;
  }

  public Nodes heartbeat(String time) {
    heartbeat = time;
    return this;
  }

  public Node build() {
    NodeCondition c = new NodeCondition();
    c.setType("Ready");
    c.setStatus(ready ? "True" : "False");
    c.setLastHeartbeatTime(heartbeat);
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(new LinkedHashMap<>(labels))
        .withDeletionTimestamp(deletionTimestamp)
        .endMetadata()
        .withNewStatus()
        .withAddresses(new ArrayList<>(addresses))
        .withConditions(c)
        .endStatus()
        .build();
  }
}
