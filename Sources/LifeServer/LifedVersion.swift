/// The version of lifed, reported by Health and `--version`.
public enum LifedVersion {
    public static let current = "0.1.0"
}
