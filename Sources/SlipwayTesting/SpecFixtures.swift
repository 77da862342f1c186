/// Specs that several suites plan and run.
public enum SpecFixtures {
    /// Terraform (plan, then a mutating apply) and KubeOne (a mutating apply on the cluster
    /// Terraform makes) in one environment, `master`, then `extra` jobs (YAML at the jobs'
    /// indentation); `script(job)` is each job's `run`, a single line.
    public static func terraformThenKubeOne(extra: String = "", script: (String) -> String) -> String {
        """
        version: 1
        environments: [master]
        jobs:
          tf-plan:
            paths: ["terraform/**"]
            run: \(script("tf-plan"))
          tf-apply:
            on: [push]
            needs: [tf-plan]
            paths: ["terraform/**"]
            mutates: true
            environment: master
            run: \(script("tf-apply"))
          kubeone-apply:
            on: [push]
            needs: [tf-apply]
            paths: ["kubeone/**"]
            mutates: true
            environment: master
            run: \(script("kubeone-apply"))
        \(extra)
        """
    }
}
