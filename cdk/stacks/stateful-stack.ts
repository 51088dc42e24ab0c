import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';

/**
 * Logical ids of the tables. They are pinned because CloudFormation replaces a resource whose
 * logical id changes, and replacing a table deletes its data; a test holds them fixed.
 */
export const STATEFUL_LOGICAL_IDS = {
  appointmentsTable: 'AppointmentsTable',
  contactsTable: 'ContactsTable',
  idempotencyTable: 'IdempotencyTable',
} as const;

export interface StatefulStackProps extends StackProps {
  removalPolicy: RemovalPolicy;
  pointInTimeRecovery: boolean;
  /** DynamoDB deletion protection on every table (termination protection is a stack prop). */
  deletionProtection: boolean;
}

/** The data that outlives deployments: appointments (with their stream), contacts, idempotency records. */
export class StatefulStack extends Stack {
  readonly appointmentsTable: dynamodb.Table;
  readonly contactsTable: dynamodb.Table;
  readonly idempotencyTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);

    const common = {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery },
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    };

    this.appointmentsTable = new dynamodb.Table(this, 'Appointments', {
      ...common,
      // NEW_IMAGE is all the pipe needs: it only forwards INSERTs, whose old image is empty.
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    this.contactsTable = new dynamodb.Table(this, 'Contacts', common);
    // Powertools idempotency's defaults: partition key `id`, expiry attribute `expiration`.
    this.idempotencyTable = new dynamodb.Table(this, 'Idempotency', { ...common, timeToLiveAttribute: 'expiration' });

    pinLogicalId(this.appointmentsTable, STATEFUL_LOGICAL_IDS.appointmentsTable);
    pinLogicalId(this.contactsTable, STATEFUL_LOGICAL_IDS.contactsTable);
    pinLogicalId(this.idempotencyTable, STATEFUL_LOGICAL_IDS.idempotencyTable);

    if (!props.pointInTimeRecovery) {
      Validations.of(this).acknowledge({
        id: 'AwsSolutions-DDB3',
        reason: 'Point-in-time recovery is off only in this environment, which holds disposable test data; staging and prod enable it.',
      });
    }
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-DDB4',
      reason: 'Point-in-time recovery (35 days, in staging and prod) is the backup mechanism; no separate AWS Backup plan.',
    });

    new CfnOutput(this, 'AppointmentsTableName', { value: this.appointmentsTable.tableName, description: 'Appointments table' });
    new CfnOutput(this, 'ContactsTableName', { value: this.contactsTable.tableName, description: 'Contacts table (id = lower-cased e-mail address)' });
    new CfnOutput(this, 'IdempotencyTableName', { value: this.idempotencyTable.tableName, description: "Notifier's idempotency records" });
  }
}

function pinLogicalId(table: dynamodb.Table, logicalId: string): void {
  (table.node.defaultChild as dynamodb.CfnTable).overrideLogicalId(logicalId);
}
