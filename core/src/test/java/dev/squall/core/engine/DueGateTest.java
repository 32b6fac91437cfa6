package dev.squall.core.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When a lane's claim goes to the store, and when the engine knows without asking that nothing is due. */
class DueGateTest {
    private static final long POLL_MILLIS = 1_000;
    /** Past any poll jitter (at most a tenth). */
    private static final long AFTER_POLL = 2_000_000_000L;
    private final DueGate gate = new DueGate(POLL_MILLIS);
    private final long t0 = System.nanoTime();

    @Test
    void theFirstClaimGoesToTheStore() {
        assertThat(gate.nothingDue(1000)).as("nothing is known before a claim").isFalse();
        assertThat(gate.shouldClaim(1000, t0)).isTrue();
    }

    @Test
    void aShortClaimClosesTheGateAndAFullOneLeavesItOpen() {
        gate.shouldClaim(1000, t0);
        gate.claimed(true, 1000);
        assertThat(gate.shouldClaim(1001, t0 + 10)).as("a full claim may have left more").isTrue();
        gate.claimed(false, Long.MAX_VALUE);
        assertThat(gate.shouldClaim(1002, t0 + 20)).isFalse();
        assertThat(gate.nothingDue(1002)).isTrue();
    }

    @Test
    void newsOfWorkOpensIt() {
        gate.shouldClaim(1000, t0);
        gate.claimed(false, Long.MAX_VALUE);
        gate.workMayBeDue();
        assertThat(gate.nothingDue(1001)).isFalse();
        assertThat(gate.shouldClaim(1001, t0 + 10)).isTrue();
    }

    @Test
    void newsOfAnotherNodesWorkOpensTheClaimButDoesNotHoldNewJobsHereBack() {
        gate.shouldClaim(1000, t0);
        gate.claimed(false, Long.MAX_VALUE);
        gate.newsOfWork();
        assertThat(gate.nothingDue(1001)).as("another node's jobs are that node's to order: a new job here may be stored claimed").isTrue();
        assertThat(gate.shouldClaim(1001, t0 + 10)).as("but the next claim looks").isTrue();
        gate.claimed(false, Long.MAX_VALUE);
        assertThat(gate.shouldClaim(1002, t0 + 20)).as("once").isFalse();
    }

    @Test
    void newsFromAnotherNodeDuringAClaimIsNotLost() {
        assertThat(gate.shouldClaim(1000, t0)).isTrue();
        gate.newsOfWork(); // announced after the claim looked
        gate.claimed(false, Long.MAX_VALUE);
        assertThat(gate.shouldClaim(1001, t0 + 10)).isTrue();
    }

    @Test
    void aClosedGateOpensWhenTheEarliestJobIsDueOrThePollIsDue() {
        gate.shouldClaim(1000, t0);
        gate.claimed(false, 5000);
        assertThat(gate.shouldClaim(4999, t0 + 10)).isFalse();
        assertThat(gate.shouldClaim(5000, t0 + 10)).as("the earliest waiting job is due").isTrue();
        gate.claimed(false, Long.MAX_VALUE);
        gate.dueAt(7000); // a job of a later run_at was written since
        assertThat(gate.shouldClaim(6999, t0 + 20)).isFalse();
        assertThat(gate.shouldClaim(6999, t0 + AFTER_POLL)).as("the poll").isTrue();
        gate.claimed(false, Long.MAX_VALUE);
        gate.dueAt(7000);
        assertThat(gate.shouldClaim(7000, t0 + AFTER_POLL + 10)).isTrue();
    }

    @Test
    void withoutAPollOnlyNewsAndDueTimesOpenIt() {
        DueGate local = new DueGate(Long.MAX_VALUE);
        local.shouldClaim(1000, t0);
        local.claimed(false, Long.MAX_VALUE);
        assertThat(local.shouldClaim(1000, t0 + 3_600_000_000_000L)).as("an hour later").isFalse();
    }

    @Test
    void newsDuringAClaimIsNotLostWhenTheClaimComesBackShort() {
        assertThat(gate.shouldClaim(1000, t0)).isTrue();
        gate.workMayBeDue(); // a submit committed while the claim ran
        gate.claimed(false, Long.MAX_VALUE);
        assertThat(gate.shouldClaim(1001, t0 + 10)).isTrue();
    }

    @Test
    void aDueTimeToldDuringAClaimIsNotOverwrittenByItsAnswer() {
        assertThat(gate.shouldClaim(1000, t0)).isTrue();
        gate.dueAt(3000); // written after the claim looked
        gate.claimed(false, Long.MAX_VALUE);
        assertThat(gate.shouldClaim(2999, t0 + 10)).isFalse();
        assertThat(gate.shouldClaim(3000, t0 + 10)).isTrue();
    }

    @Test
    void whileAClaimIsOutNothingIsSaidToBeDueAtHome() {
        DueGate local = new DueGate(Long.MAX_VALUE); // a store only this process writes
        local.shouldClaim(1000, t0);
        local.claimed(false, Long.MAX_VALUE);
        assertThat(local.nothingDue(1001)).isTrue();
        local.workMayBeDue();
        assertThat(local.shouldClaim(1002, t0 + 10)).isTrue();
        assertThat(local.nothingDue(1002)).as("the claim's jobs are not queued yet: a new job must not overtake them").isFalse();
        local.claimed(false, Long.MAX_VALUE);
        assertThat(local.nothingDue(1003)).isTrue();
    }

    @Test
    void onASharedStoreAClaimOutDoesNotHoldNewJobsBack() {
        gate.shouldClaim(1000, t0); // this gate polls: a shared store
        gate.claimed(false, Long.MAX_VALUE);
        assertThat(gate.shouldClaim(1000, t0 + AFTER_POLL)).as("the poll").isTrue();
        assertThat(gate.nothingDue(1001)).as("order across nodes is not strict: no wait for the claim").isTrue();
    }

    @Test
    void aFailedClaimLeavesItOpen() {
        gate.shouldClaim(1000, t0);
        gate.claimFailed();
        assertThat(gate.shouldClaim(1001, t0 + 10)).isTrue();
    }
}
