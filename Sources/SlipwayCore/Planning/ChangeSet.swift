/// The files an event changed, and the commits they were computed between.
public struct ChangeSet: Sendable, Hashable {
    /// The commit the change is measured from (a merge base or `before`), when known.
    public var base: String?
    /// The commit the change is measured to.
    public var head: String?
    /// Changed paths relative to the repository root, renames counted under both names.
    public var paths: [String]
    /// Why everything counts as changed (a first push), if that is the case: every path filter
    /// then matches, and `paths` lists every tracked file for reference.
    public var everythingBecause: String?

    /// Creates a change set.
    public init(base: String? = nil, head: String? = nil, paths: [String], everythingBecause: String? = nil) {
        self.base = base
        self.head = head
        self.paths = paths
        self.everythingBecause = everythingBecause
    }
}
