using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>
/// Guest slots (docs/design/guests.md, R25–R29) in a real pool: outside threads race for one
/// slot (the loser takes the fallback through the ring), a guest's claimed half runs in its
/// frame while another thread wants the slot, and guest calls race Dispose. A slot is held by
/// one thread at a time, every body runs exactly once (or, refused by Dispose, not at all).
/// </summary>
public sealed class GuestScheduleTests(ITestOutputHelper output)
{
    [Fact]
    public void TwoThreadsRaceForOneGuestSlot()
    {
        var paths = new PathCount();
        Explorer.Check(output, "guests: 2 outside threads, 1 guest slot, each an Install and a Join (the loser falls back to the ring)", new ExploreOptions { Runs = 150, Budget = TimeSpan.FromSeconds(4) },
            execution =>
            {
                var slot = new SlotHolder();
                var calls = new Halves[2];
                int[] installs = new int[2];
                Pools.RunToRest(execution, workers: 1, guestSlots: 1,
                    pool =>
                    {
                        for (int t = 0; t < 2; t++)
                        {
                            int caller = t;
                            calls[t] = new Halves();
                            execution.Spawn($"caller {t}", () =>
                            {
                                pool.Install((slot, installs, caller), static s =>
                                {
                                    s.slot.Enter($"caller {s.caller}'s Install");
                                    s.installs[s.caller]++;
                                    s.slot.Leave();
                                });
                                pool.Join((slot, calls[caller], caller), static s =>
                                {
                                    s.slot.Enter($"caller {s.caller}'s Join");
                                    s.Item2.RunA(steps: 1);
                                    s.slot.Leave();
                                }, static s => s.Item2.RunB());
                            });
                        }
                    },
                    () =>
                    {
                        for (int t = 0; t < 2; t++)
                        {
                            Assert.True(installs[t] == 1, $"Caller {t}'s Install ran {installs[t]} times.");
                            calls[t].AssertRanOnce($"caller {t}'s Join");
                        }

                        paths.Add(slot);
                    });
            });
        output.WriteLine(paths.Describe());
        Assert.True(paths.Guest > 0 && paths.Fallback > 0, "Both paths (guest and fallback) must occur: " + paths.Describe());
    }

    [Fact]
    public void TwoThreadsRaceForOneGuestSlot_Exhaustive()
    {
        Explorer.Check(output, "guests: 2 outside threads, 1 guest slot, one Install each (exhaustive)", new ExploreOptions { PreemptionBound = 2 },
            execution =>
            {
                var slot = new SlotHolder();
                int[] installs = new int[2];
                Pools.RunToRest(execution, workers: 1, guestSlots: 1,
                    pool =>
                    {
                        for (int t = 0; t < 2; t++)
                        {
                            int caller = t;
                            execution.Spawn($"caller {t}", () => pool.Install((slot, installs, caller), static s =>
                            {
                                s.slot.Enter($"caller {s.caller}'s Install");
                                s.installs[s.caller]++;
                                s.slot.Leave();
                            }));
                        }
                    },
                    () => Assert.True(installs[0] == 1 && installs[1] == 1, $"The Installs ran {installs[0]} and {installs[1]} times."));
            });
    }

    [Fact]
    public void GuestHalfClaimedWhileAnotherThreadWantsTheSlot()
    {
        // The worker claims the guest's B and runs it in the guest's frame; meanwhile a second
        // thread calls twice (fallback while the slot is held, guest once it is free). The guest
        // must not leave (and free the slot) before its claimed half is done (R32, R26).
        Explorer.Check(output, "guests: a guest's claimed half running while a second thread calls into the same (only) slot", new ExploreOptions { Runs = 150, Budget = TimeSpan.FromSeconds(4) },
            execution =>
            {
                var slot = new SlotHolder();
                var halves = new Halves();
                int[] installs = new int[2];
                Pools.RunToRest(execution, workers: 1, guestSlots: 1,
                    pool =>
                    {
                        execution.Spawn("guest", () =>
                        {
                            pool.Join((slot, halves), static s =>
                            {
                                s.slot.Enter("the first thread's Join");
                                s.halves.RunA(steps: 2);
                                s.slot.Leave();
                            }, static s =>
                            {
                                SchedulePoint.Hit();
                                s.halves.RunB();
                            });
                            // The Join returned: B is done wherever it ran, and its result is here.
                            Assert.True(halves.BRuns == 1 && halves.BResult == 21, $"The Join returned with B run {halves.BRuns} times (result {halves.BResult}).");
                        });
                        execution.Spawn("second", () =>
                        {
                            for (int i = 0; i < 2; i++)
                            {
                                pool.Install((slot, installs, i), static s =>
                                {
                                    s.slot.Enter($"the second thread's Install {s.i}");
                                    s.installs[s.i]++;
                                    s.slot.Leave();
                                });
                            }
                        });
                    },
                    () =>
                    {
                        halves.AssertRanOnce("guest's Join");
                        Assert.True(installs[0] == 1 && installs[1] == 1, $"The second thread's Installs ran {installs[0]} and {installs[1]} times.");
                    });
            });
    }

    [Fact]
    public void GuestCallRacesDispose()
    {
        // R29: each call completes (its body ran once) or throws ObjectDisposedException (its
        // body did not run); no guest call runs once the slots are closed; Dispose returns,
        // the workers exit, nothing hangs.
        var outcomes = new Outcomes();
        Explorer.Check(output, "guests: an Install and a Join from outside racing Dispose (1 worker, 1 guest slot)", new ExploreOptions { Runs = 150, Budget = TimeSpan.FromSeconds(4) },
            execution =>
            {
                WorkStealingPool pool = Pools.Create(execution, workers: 1, guestSlots: 1);
                try
                {
                    execution.AwaitAttached(1);
                    var race = new DisposeRace(pool);
                    execution.Spawn("caller", () =>
                    {
                        race.Call(0, () => pool.Install(race, static r => r.Ran(0)));
                        race.Call(1, () => pool.Join(race, static r => r.Ran(1), static r => r.Ran(2)));
                    });
                    execution.Spawn("disposer", () => DisposeSteps.Run(pool, race.SlotsClosed));
                    execution.SettleDaemons = true;
                    execution.Run();
                    Assert.True(execution.Settled, "The run ended before the workers exited.");
                    race.AssertOutcomes(joinCall: 1, joinHalves: [1, 2]);
                    Assert.True(PoolState.Occupancy(pool.Participants[1]) == GuestSlots.Closed, "Dispose left the guest slot open.");
                    Assert.True(pool.Injector.LooksEmpty && pool.InstallRing.LooksEmpty, "Dispose left a job in a ring.");
                    outcomes.Add(race.Refused[0] || race.Refused[1]);
                }
                finally
                {
                    Pools.DisposeAfterRun(execution, pool);
                }
            });
        output.WriteLine($"A call was refused in {outcomes.True} runs, every call completed in {outcomes.False}.");
        Assert.True(outcomes.True > 0 && outcomes.False > 0, "Both outcomes (refused, completed) must occur.");
    }

    /// <summary>Who holds the guest slot's index now: two threads running in it at once is R25 broken.</summary>
    internal sealed class SlotHolder
    {
        private string? _holder;

        public int GuestRuns { get; private set; }

        public int FallbackRuns { get; private set; }

        public void Enter(string who)
        {
            int index = WorkStealingPool.CurrentWorkerIndex;
            WorkStealingPool pool = WorkStealingPool.Current!;
            if (index < pool.ThreadCount)
            {
                FallbackRuns++;
                return;
            }

            Assert.True(_holder is null, $"{who} runs in guest slot {index} while {_holder} holds it.");
            _holder = who;
            GuestRuns++;
            SchedulePoint.Hit();
        }

        public void Leave()
        {
            if (WorkStealingPool.CurrentWorkerIndex >= WorkStealingPool.Current!.ThreadCount)
            {
                _holder = null;
            }
        }
    }

    private sealed class PathCount
    {
        public int Guest;
        public int Fallback;

        public void Add(SlotHolder slot)
        {
            Guest += slot.GuestRuns;
            Fallback += slot.FallbackRuns;
        }

        public string Describe() => $"Bodies run in the guest slot: {Guest}; on a worker after a fallback: {Fallback}.";
    }

    /// <summary>Calls racing Dispose: each completes with its body run once, or is refused with nothing run.</summary>
    internal sealed class DisposeRace(WorkStealingPool pool)
    {
        private readonly int[] _runs = new int[3];
        private bool _slotsClosed;

        public bool[] Refused { get; } = new bool[2];

        public bool[] StartedAfterDispose { get; } = new bool[2];

        public void SlotsClosed() => _slotsClosed = true;

        public void Ran(int body)
        {
            Assert.False(_slotsClosed && WorkStealingPool.CurrentWorkerIndex >= pool.ThreadCount,
                "A guest call runs after Dispose closed every guest slot.");
            _runs[body]++;
        }

        public void Call(int call, Action action)
        {
            SchedulePoint.Hit();
            StartedAfterDispose[call] = pool.IsDisposed;
            try
            {
                action();
            }
            catch (ObjectDisposedException)
            {
                Refused[call] = true;
            }
        }

        public void AssertOutcomes(int joinCall, int[] joinHalves)
        {
            Assert.True(_runs[0] == (Refused[0] ? 0 : 1), $"The Install was {(Refused[0] ? "refused" : "completed")} and its body ran {_runs[0]} times.");
            foreach (int half in joinHalves)
            {
                Assert.True(_runs[half] == (Refused[joinCall] ? 0 : 1), $"The Join was {(Refused[joinCall] ? "refused" : "completed")} and its half {half} ran {_runs[half]} times.");
            }
        }
    }
}
