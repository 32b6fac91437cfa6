package dev.squall.store.postgres;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** When a node's claim for some queues goes to the database, and when it is answered "nothing due" at home. */
class ClaimGatesTest {
    private static final long POLL = 1_000_000_000L;
    private static final Set<String> MAIL = Set.of("mail");
    private static final Set<String> REPORTS = Set.of("reports");
    private final ClaimGates gates = new ClaimGates();

    @Test
    void theFirstClaimOfALaneGoesToTheDatabase() {
        assertThat(gates.shouldClaim(MAIL, 1000, 0, POLL)).isTrue();
        assertThat(gates.shouldClaim(REPORTS, 1000, 0, POLL)).as("another lane's first claim").isTrue();
    }

    @Test
    void aShortClaimClosesOnlyItsOwnLane() {
        gates.shouldClaim(MAIL, 1000, 0, POLL);
        gates.shouldClaim(REPORTS, 1000, 0, POLL);
        gates.claimed(REPORTS, true, Long.MIN_VALUE); // reports came back full: more may be due
        gates.claimed(MAIL, false, Long.MAX_VALUE);   // mail came back short: nothing waits
        assertThat(gates.shouldClaim(MAIL, 1001, 10, POLL)).isFalse();
        assertThat(gates.shouldClaim(REPORTS, 1001, 10, POLL)).isTrue();
    }

    @Test
    void newsOfWorkOpensEveryLane() {
        gates.shouldClaim(MAIL, 1000, 0, POLL);
        gates.claimed(MAIL, false, Long.MAX_VALUE);
        gates.shouldClaim(null, 1000, 0, POLL);
        gates.claimed(null, false, Long.MAX_VALUE);
        assertThat(gates.anyMaybeDue()).isFalse();
        gates.workMayBeDue();
        assertThat(gates.anyMaybeDue()).isTrue();
        assertThat(gates.shouldClaim(MAIL, 1001, 10, POLL)).isTrue();
        assertThat(gates.shouldClaim(null, 1001, 10, POLL)).isTrue();
    }

    @Test
    void aClosedLaneOpensWhenItsEarliestJobIsDueOrThePollIsDue() {
        gates.shouldClaim(MAIL, 1000, 0, POLL);
        gates.claimed(MAIL, false, 5000);
        assertThat(gates.shouldClaim(MAIL, 4999, 10, POLL)).isFalse();
        assertThat(gates.shouldClaim(MAIL, 5000, 10, POLL)).as("the earliest waiting job is due").isTrue();
        gates.claimed(MAIL, false, Long.MAX_VALUE);
        gates.dueAt(7000); // a job of a later run_at was written since
        assertThat(gates.shouldClaim(MAIL, 6999, 20, POLL)).isFalse();
        assertThat(gates.shouldClaim(MAIL, 6999, 20 + POLL, POLL)).as("the poll").isTrue();
        gates.claimed(MAIL, false, Long.MAX_VALUE);
        gates.dueAt(7000);
        assertThat(gates.shouldClaim(MAIL, 7000, 30 + POLL, POLL)).isTrue();
    }

    @Test
    void newsDuringAClaimIsNotLostWhenTheClaimComesBackShort() {
        assertThat(gates.shouldClaim(MAIL, 1000, 0, POLL)).isTrue();
        gates.workMayBeDue(); // a submit committed while the claim ran
        gates.claimed(MAIL, false, Long.MAX_VALUE);
        assertThat(gates.shouldClaim(MAIL, 1001, 10, POLL)).isTrue();
    }
}
