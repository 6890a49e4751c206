//! The whole-line rules of a line read by [`super::Line`]: ipvsadm's legality matrix (which
//! options each command requires, allows or refuses), checked after the last option.

use crate::rules::error::{Problem, RuleError};
use crate::rules::legality::{command_rule, Rule, RuleMasks};
use crate::rules::names::{CommandName, OptionName};

use super::Line;

impl Line<'_> {
    /// ipvsadm's legality matrix, checked in its option order.
    pub(super) fn check_legality(&self) -> Result<(), RuleError> {
        // The walk below finds which option breaks a rule; most lines break none.
        let legal = RuleMasks::command(self.command).allow(self.seen_bits);
        let mut one_of: Option<OptionName> = None;
        for option in OptionName::ALL.into_iter().filter(|_| !legal) {
            let seen = self.seen(option);
            match (command_rule(self.command, option), seen) {
                (Rule::Required, None) => {
                    return Err(self.command_error(Problem::Required {
                        option,
                        command: self.command,
                    }))
                }
                (Rule::Illegal, Some(s)) => {
                    return Err(self.error_at(
                        s.column,
                        s.spelled,
                        Problem::Illegal {
                            option,
                            command: self.command,
                        },
                    ))
                }
                (Rule::OneOf, Some(s)) => match one_of {
                    Some(first) => {
                        return Err(self.error_at(
                            s.column,
                            s.spelled,
                            Problem::Conflict {
                                first,
                                second: option,
                                command: self.command,
                            },
                        ))
                    }
                    None => one_of = Some(option),
                },
                _ => {}
            }
        }
        if self.command == CommandName::List {
            use OptionName as O;
            let first = |opts: &[OptionName]| opts.iter().find_map(|o| self.seen(*o));
            let kinds = first(&[O::Connection, O::Timeout, O::Daemon]);
            let formats = first(&[O::Stats, O::Rate, O::Thresholds]);
            let config = first(&[O::Timeout, O::Daemon]);
            let persistent = self.seen(O::PersistentConn);
            let clash = kinds.and(formats).or(config.and(persistent));
            if let Some(s) = clash {
                return Err(self.error_at(s.column, s.spelled, Problem::ListConflict));
            }
        }
        Ok(())
    }
}
