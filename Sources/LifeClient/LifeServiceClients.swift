import LifeStubs
import LifeWire

/// A typed client per service over one `caller`; `LifeClient` (one connection) and `LifeChannel`
/// (reconnecting, retrying) both offer them.
public protocol LifeServiceClients {
    var caller: any RPCCaller { get }
}

extension LifeServiceClients {
    public var health: Life_V1_HealthClient { Life_V1_HealthClient(caller: caller) }
    public var auth: Life_V1_AuthClient { Life_V1_AuthClient(caller: caller) }
    public var staff: Life_V1_StaffClient { Life_V1_StaffClient(caller: caller) }
    public var recipients: Life_V1_RecipientsClient { Life_V1_RecipientsClient(caller: caller) }
    public var verification: Life_V1_VerificationClient { Life_V1_VerificationClient(caller: caller) }
    public var admin: Life_V1_AdminClient { Life_V1_AdminClient(caller: caller) }
}
