package dev.fulcrum.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.proxy.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM in and out: the key forms OpenSSL writes, round trips, and clear errors for bad input. */
class PkiPemTest {
  // One P-256 key as `openssl ecparam -genkey -noout` (SEC1) and `openssl pkey` (PKCS#8) wrote it.
  private static final String SEC1 =
      """
      -----BEGIN EC PRIVATE KEY-----
      MHcCAQEEIOrHgC0eyjfTEp2smmkaUC9fr2UDf0Thczim8T8sA8MmoAoGCCqGSM49
      AwEHoUQDQgAEynv8ia768VRCQqzB3odw+mA3GC8Gu3lsbH8yuRPMzUeb32a5C195
      p2uLqLwre7ulLwHMIYRpa+RHFjCldfFbEQ==
      -----END EC PRIVATE KEY-----
      """;
  private static final String PKCS8 =
      """
      -----BEGIN PRIVATE KEY-----
      MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg6seALR7KN9MSnaya
      aRpQL1+vZQN/ROFzOKbxPywDwyahRANCAATKe/yJrvrxVEJCrMHeh3D6YDcYLwa7
      eWxsfzK5E8zNR5vfZrkLX3mna4uovCt7u6UvAcwhhGlr5EcWMKV18VsR
      -----END PRIVATE KEY-----
      """;
  private static final String PUBLIC =
      """
      -----BEGIN PUBLIC KEY-----
      MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEynv8ia768VRCQqzB3odw+mA3GC8G
      u3lsbH8yuRPMzUeb32a5C195p2uLqLwre7ulLwHMIYRpa+RHFjCldfFbEQ==
      -----END PUBLIC KEY-----
      """;

  @TempDir Path dir;

  @Test
  void sec1AndPkcs8FormsOfOneKeyReadAsTheSameKey() throws Exception {
    PrivateKey fromSec1 = Pki.readKey(SEC1);
    PrivateKey fromPkcs8 = Pki.readKey(PKCS8);

    assertThat(fromSec1).isInstanceOf(ECPrivateKey.class);
    assertThat(((ECPrivateKey) fromSec1).getS()).isEqualTo(((ECPrivateKey) fromPkcs8).getS());
    assertThat(((ECPrivateKey) fromSec1).getParams().getOrder())
        .isEqualTo(((ECPrivateKey) fromPkcs8).getParams().getOrder());
    assertSignsFor(fromSec1, PUBLIC);
  }

  @Test
  void generatedKeyAndChainRoundTripThroughPem() throws Exception {
    Pki.Issued ca = TestPki.authority("ca");
    Pki.Issued leaf = TestPki.issue(ca, "lb-1", List.of("127.0.0.1"));
    String bundle = leaf.certificatePem() + leaf.keyPem() + ca.certificatePem();

    assertThat(Pki.readKey(leaf.keyPem()).getEncoded()).isEqualTo(leaf.key().getEncoded());
    assertThat(Pki.readKey(bundle).getEncoded()).isEqualTo(leaf.key().getEncoded());
    assertThat(Pki.readCertificates(bundle)).containsExactly(leaf.certificate(), ca.certificate());
  }

  @Test
  void pemIsSixtyFourColumnBase64BetweenTheMarkers() {
    Pki.Issued leaf = Pki.selfSigned("lb-1", List.of("127.0.0.1", "localhost"), Duration.ofDays(1));
    List<String> cert = leaf.certificatePem().lines().toList();
    List<String> key = leaf.keyPem().lines().toList();

    assertThat(leaf.certificatePem()).endsWith("-----END CERTIFICATE-----\n");
    assertThat(cert.get(0)).isEqualTo("-----BEGIN CERTIFICATE-----");
    assertThat(cert.subList(1, cert.size() - 1))
        .allSatisfy(l -> assertThat(l).matches("[A-Za-z0-9+/=]{1,64}"))
        .first()
        .satisfies(l -> assertThat(l).hasSize(64));
    assertThat(key.get(0)).isEqualTo("-----BEGIN PRIVATE KEY-----");
    assertThat(key.get(key.size() - 1)).isEqualTo("-----END PRIVATE KEY-----");
  }

  @Test
  void readsEveryKeyFormOpensslWrites() throws Exception {
    OpenSsl.assumeInstalled();
    // What deploy/make-credentials.sh makes: PKCS#8.
    assertReadsGenerated("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256");
    // SEC1, bare and after the EC PARAMETERS block ecparam writes without -noout.
    assertReadsGenerated("ecparam", "-name", "prime256v1", "-genkey", "-noout");
    assertReadsGenerated("ecparam", "-name", "prime256v1", "-genkey");
    assertReadsGenerated("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048");
    assertReadsGenerated("genpkey", "-algorithm", "ED25519");
    // The traditional forms: RSA PRIVATE KEY (PKCS#1) and DSA PRIVATE KEY.
    assertReadsTraditional("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048");
    assertReadsTraditional("dsaparam", "-genkey", "-noout", "1024");
  }

  private void assertReadsGenerated(String... command) throws Exception {
    Path key = dir.resolve("key.pem");
    // -out right after the subcommand: some (dsaparam) take a positional argument last.
    List<String> args = new ArrayList<>(List.of(command[0], "-out", key.toString()));
    args.addAll(List.of(command).subList(1, command.length));
    assertThat(OpenSsl.run(dir, args.toArray(String[]::new)).exit()).isZero();
    assertMatchesOpensslPublicKey(Files.readString(key), key);
  }

  private void assertReadsTraditional(String... command) throws Exception {
    assertReadsGenerated(command);
    Path key = dir.resolve("key.pem");
    Path traditional = dir.resolve("traditional.pem");
    OpenSsl.Result r =
        OpenSsl.run(
            dir, "pkey", "-traditional", "-in", key.toString(), "-out", traditional.toString());
    assertThat(r.exit()).as(r.output()).isZero();
    String pem = Files.readString(traditional);
    assertThat(pem).containsPattern("BEGIN (RSA|DSA) PRIVATE KEY");
    assertMatchesOpensslPublicKey(pem, traditional);
  }

  private void assertMatchesOpensslPublicKey(String pem, Path keyFile) throws Exception {
    OpenSsl.Result pub = OpenSsl.run(dir, "pkey", "-pubout", "-in", keyFile.toString());
    assertThat(pub.exit()).as(pub.output()).isZero();
    assertSignsFor(Pki.readKey(pem), pub.output());
  }

  /** A signature made with {@code key} verifies with the public key in {@code publicPem}. */
  private static void assertSignsFor(PrivateKey key, String publicPem) throws Exception {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          case "DSA" -> "SHA256withDSA";
          default -> key.getAlgorithm(); // EdDSA
        };
    byte[] data = "fulcrum".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(data);
    byte[] signature = signer.sign();

    String base64 = publicPem.replaceAll("-----[A-Z ]+-----|\\s", "");
    PublicKey pub =
        KeyFactory.getInstance(key.getAlgorithm())
            .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(pub);
    verifier.update(data);
    assertThat(verifier.verify(signature)).as(algorithm + " signature verifies").isTrue();
  }

  @Test
  void badKeyPemFailsWithAMessageSayingWhatIsWrong() {
    String certificate = Pki.selfSigned("lb-1", List.of(), Duration.ofDays(1)).certificatePem();
    assertKeyError("", "no private key in PEM (found nothing)");
    assertKeyError("just text\n", "no private key in PEM (found nothing)");
    assertKeyError(certificate, "no private key in PEM (found CERTIFICATE)");
    assertKeyError(
        "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n", "PRIVATE KEY has no END line");
    assertKeyError(
        "-----BEGIN PRIVATE KEY-----\nMIGH*AgEA\n-----END PRIVATE KEY-----\n", "bad base64");
    assertKeyError(
        "-----BEGIN PRIVATE KEY-----\nMIGHAgEA\n-----END EC PRIVATE KEY-----\n",
        "ends with \"-----END EC PRIVATE KEY-----\"");
    assertKeyError(block("PRIVATE KEY", "not DER at all"), "malformed DER");
    assertKeyError(block("EC PRIVATE KEY", "0\u0003\u0002\u0001\u0001"), "does not name its curve");
    assertKeyError(block("ENCRYPTED PRIVATE KEY", "0\u0000"), "encrypted");
    assertKeyError(
        "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
            + "MHcCAQEEIOrHgC0e\n-----END EC PRIVATE KEY-----\n",
        "encrypted");
    assertKeyError(block("OPENSSH PRIVATE KEY", "openssh-key-v1"), "unsupported private key type");
    String pkcs8 =
        PKCS8.replace(
            "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEH", "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEI");
    assertKeyError(pkcs8, "bad EC private key");
  }

  @Test
  void badCertificatePemFailsWithAMessageSayingWhatIsWrong() {
    assertCertificateError("", "no certificate in PEM");
    assertCertificateError(PKCS8, "no certificate in PEM");
    assertCertificateError(block("CERTIFICATE", "not DER"), "bad certificate in PEM");
    assertCertificateError("-----BEGIN CERTIFICATE-----\nMIIB\n", "has no END line");
  }

  private static String block(String label, String content) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder().encodeToString(content.getBytes(StandardCharsets.ISO_8859_1))
        + "\n-----END "
        + label
        + "-----\n";
  }

  private static void assertKeyError(String pem, String message) {
    assertThatThrownBy(() -> Pki.readKey(pem))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(message);
  }

  private static void assertCertificateError(String pem, String message) {
    assertThatThrownBy(() -> Pki.readCertificates(pem))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(message);
  }
}
