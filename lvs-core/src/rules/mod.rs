//! The ipvsadm rule-text codec: `ipvsadm -R` input and `ipvsadm -S -n` output.
