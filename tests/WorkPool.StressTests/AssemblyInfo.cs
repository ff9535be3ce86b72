// One scenario at a time: each one loads both cores on its own, its time budget means what it
// says, and a hang report describes only the pools of the scenario that hung.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
