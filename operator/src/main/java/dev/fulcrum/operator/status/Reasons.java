package dev.fulcrum.operator.status;

/** The reasons conditions carry; kubectl shows Ready's in the Reason column. */
public final class Reasons {
  public static final String SYNCED = "Synced";
  public static final String PUSHING = "Pushing";

  /** Ready=True while a push is in flight or a proxy lags: every proxy still serves. */
  public static final String SERVING = "Serving";

  public static final String NO_SERVER_UP = "NoServerUp";
  public static final String NOT_LISTENING = "NotListening";
  public static final String AS_EXPECTED = "AsExpected";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String CREDENTIALS_MISSING = "CredentialsMissing";
  public static final String KEEPING_LAST_KNOWN = "KeepingLastKnownBackends";
  public static final String PROXY_UNREACHABLE = "ProxyUnreachable";
  public static final String PUSH_REFUSED = "PushRefused";
  public static final String PUSH_FAILED = "PushFailed";
  public static final String CERTIFICATE_MISSING_SAN = "CertificateMissingSAN";
  public static final String ORPHANED_PROXY = "OrphanedProxy";
  public static final String PROXY_NAME_MISMATCH = "ProxyNameMismatch";

  /** A proxy's VRRP instances did not reach keepalived on its host: the VIP may not follow. */
  public static final String KEEPALIVED_FAILED = "KeepalivedFailed";

  private Reasons() {}
}
