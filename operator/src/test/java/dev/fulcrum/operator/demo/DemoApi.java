package dev.fulcrum.operator.demo;

import dev.fulcrum.operator.testing.MockLeases;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * The demo's API server: the real one from {@code ../shared/realapi} when present (so {@code
 * kubectl wait} and printer columns work), else the Fabric8 mock in CRUD mode with discovery.
 */
final class DemoApi implements AutoCloseable {
  static final String NAMESPACE = "fulcrum-system";
  private static final String CRD_FILE = "externalloadbalancers.lb.fulcrum.dev-v1.yml";

  /** Held so the level sticks: the mock logs every request at INFO through java.util.logging. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer mock;
  private final Path realApiScripts;
  private final Path realApiDir;
  private final KubernetesClient client;
  private final Path kubeconfig;

  private DemoApi(KubernetesMockServer mock, Path scripts, Path dir, Path kubeconfig) {
    this.mock = mock;
    this.realApiScripts = scripts;
    this.realApiDir = dir;
    this.kubeconfig = kubeconfig;
    this.client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(kubeconfig.toFile()))
            .build();
  }

  /** The realapi kit in {@code scripts} if it is there and wanted, else the mock. */
  static DemoApi start(Path workDir, Path scripts, boolean preferRealApi) throws Exception {
    Files.createDirectories(workDir);
    Path kubeconfig = workDir.resolve("kubeconfig");
    if (preferRealApi && Files.isExecutable(scripts.resolve("start.sh"))) {
      Path dir = workDir.resolve("realapi");
      deleteTree(dir);
      Files.createDirectories(dir);
      Process p =
          new ProcessBuilder(scripts.resolve("start.sh").toString(), dir.toString())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String printed;
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        printed = r.readLine();
      }
      if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && printed != null) {
        Files.copy(
            Path.of(printed.trim()), kubeconfig, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return new DemoApi(null, scripts, dir, kubeconfig).prepare();
      }
      System.err.println("realapi did not start (see " + dir + "); using the mock API server");
    }
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer mock =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            responses,
            Discovery.around(new KubernetesMixedDispatcher(responses)),
            false);
    mock.init(InetAddress.getByName("127.0.0.1"), 0);
    // The operator elects a leader as installed.
    MockLeases.grant(mock);
    Files.writeString(kubeconfig, kubeconfigYaml("http://127.0.0.1:" + mock.getPort()));
    return new DemoApi(mock, null, null, kubeconfig).prepare();
  }

  /** The CRD first, then the namespace: what {@code helm install} would have made. */
  private DemoApi prepare() {
    // The committed CRD (the chart's); in the IT tier only the generated, identical copy is named.
    String dir =
        System.getProperty(
            "fulcrum.crd.committed", System.getProperty("fulcrum.crd.generated", "crds"));
    Path crd = Path.of(dir, CRD_FILE);
    CustomResourceDefinition d =
        client.apiextensions().v1().customResourceDefinitions().load(crd.toFile()).item();
    client.resource(d).createOr(r -> r.update());
    if (isRealApi()) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(d.getMetadata().getName())
          .waitUntilCondition(
              c ->
                  c.getStatus() != null
                      && c.getStatus().getConditions().stream()
                          .anyMatch(
                              x ->
                                  "Established".equals(x.getType())
                                      && "True".equals(x.getStatus())),
              30,
              TimeUnit.SECONDS);
    }
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .createOr(r -> r.update());
    return this;
  }

  boolean isRealApi() {
    return mock == null;
  }

  KubernetesClient client() {
    return client;
  }

  Path kubeconfig() {
    return kubeconfig;
  }

  /** Creates or replaces a Node with its status, which a real API server keeps only via /status. */
  void put(Node node) {
    client.nodes().resource(node).createOr(r -> r.update());
    if (isRealApi()) {
      client
          .nodes()
          .withName(node.getMetadata().getName())
          .editStatus(
              n -> {
                n.setStatus(node.getStatus());
                return n;
              });
    }
  }

  private static String kubeconfigYaml(String server) {
    return String.join(
        "\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: fulcrum-demo",
        "  cluster:",
        "    server: " + server,
        "users:",
        "- name: fulcrum-demo",
        "  user:",
        "    token: demo",
        "contexts:",
        "- name: fulcrum-demo",
        "  context:",
        "    cluster: fulcrum-demo",
        "    user: fulcrum-demo",
        "    namespace: " + NAMESPACE,
        "current-context: fulcrum-demo",
        "");
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths
            .sorted(java.util.Comparator.reverseOrder())
            .map(Path::toFile)
            .forEach(f -> f.delete());
      }
    }
  }

  @Override
  public void close() {
    client.close();
    if (mock != null) {
      mock.destroy();
    } else {
      try {
        new ProcessBuilder(realApiScripts.resolve("stop.sh").toString(), realApiDir.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start()
            .waitFor(30, TimeUnit.SECONDS);
      } catch (IOException e) {
        System.err.println("could not stop realapi in " + realApiDir + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
